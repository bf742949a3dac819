import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gzipSync } from "node:zlib";
import { Elysia } from "elysia";
import { chooseEncoding, uiPlugin, type UiAsset, type UiAssetTable } from "./ui";

const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/assets/index-AbC123.js"></script></head></html>';
const APP_JS = 'console.log("kiro-ts admin");';

let dir: string;
let table: UiAssetTable;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kiro-ui-test-"));
  const write = async (name: string, body: string | Uint8Array) => {
    const path = join(dir, name);
    await Bun.write(path, body);
    return path;
  };
  const index: UiAsset = {
    file: await write("index.html", INDEX_HTML),
    contentType: "text/html; charset=utf-8",
    etag: '"idx1"',
    immutable: false,
  };
  const app: UiAsset = {
    file: await write("index-AbC123.js", APP_JS),
    contentType: "text/javascript; charset=utf-8",
    etag: '"js1"',
    immutable: true,
    encodings: {
      br: await write("index-AbC123.js.br", brotliCompressSync(APP_JS)),
      gzip: await write("index-AbC123.js.gz", gzipSync(APP_JS)),
    },
  };
  table = {
    "/": index,
    "/index.html": index,
    "/accounts": index,
    "/assets/index-AbC123.js": app,
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The UI beside a few API routes, the way app.ts mounts it. */
function appWith(assets: UiAssetTable) {
  return new Elysia()
    .get("/v1/models", () => ({ data: [] }))
    .get("/health", () => "ok")
    .use(uiPlugin(assets));
}

const get = (assets: UiAssetTable, path: string, headers: Record<string, string> = {}) =>
  appWith(assets).handle(new Request(`http://localhost${path}`, { headers }));

describe("uiPlugin with a built UI", () => {
  test("/ answers index.html, revalidated every time, under a script-free CSP", async () => {
    const res = await get(table, "/");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX_HTML);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("etag")).toBe('"idx1"');
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
  });

  test("the app's client-side routes answer index.html", async () => {
    const res = await get(table, "/accounts");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX_HTML);
    expect(res.headers.get("cache-control")).toBe("no-cache");
  });

  test("hashed assets are cached forever with their content type", async () => {
    const res = await get(table, "/assets/index-AbC123.js");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(APP_JS);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("vary")).toBe("accept-encoding");
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(res.headers.get("content-security-policy")).toBeNull();
  });

  test("If-None-Match with the current ETag answers 304 without a body", async () => {
    const res = await get(table, "/assets/index-AbC123.js", { "if-none-match": 'W/"other", "js1"' });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe("");
    expect(res.headers.get("etag")).toBe('"js1"');
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");

    const stale = await get(table, "/", { "if-none-match": '"idx0"' });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(INDEX_HTML);
  });

  test("a gzip-accepting client gets the gzip sibling, with its own ETag", async () => {
    const res = await get(table, "/assets/index-AbC123.js", { "accept-encoding": "gzip, deflate" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("etag")).toBe('"js1-gzip"');
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const body = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(Bun.gunzipSync(body))).toBe(APP_JS);

    const again = await get(table, "/assets/index-AbC123.js", { "accept-encoding": "gzip", "if-none-match": '"js1-gzip"' });
    expect(again.status).toBe(304);
  });

  test("br is preferred when the client accepts both, unless it weighs it lower", async () => {
    const br = await get(table, "/assets/index-AbC123.js", { "accept-encoding": "gzip, deflate, br" });
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(br.headers.get("etag")).toBe('"js1-br"');
    expect(brotliDecompressSync(new Uint8Array(await br.arrayBuffer())).toString()).toBe(APP_JS);

    const gz = await get(table, "/assets/index-AbC123.js", { "accept-encoding": "br;q=0.5, gzip" });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
  });

  test("API paths keep their own routes and their 404s", async () => {
    const models = await get(table, "/v1/models");
    expect(await models.json()).toEqual({ data: [] });
    expect(await (await get(table, "/health")).text()).toBe("ok");
    for (const path of ["/v1/nothing", "/admin/unknown", "/swagger/nothing", "/health/x"]) {
      const res = await get(table, path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("<html");
    }
  });

  test("unknown files and guessed paths are 404, not index.html", async () => {
    for (const path of ["/assets/missing-123.js", "/favicon.ico", "/wp-login.php", "/etc/passwd", "/accounts/x"]) {
      const res = await get(table, path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("<html");
    }
  });

  test("path escapes, plain or encoded, are 404", async () => {
    for (const path of [
      "/../../etc/passwd",
      "/assets/../../../etc/passwd",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "/assets/..%2findex-AbC123.js",
      "/assets%2findex-AbC123.js",
      "/..%5c..%5cwindows%5cwin.ini",
      "/%00",
    ]) {
      const res = await get(table, path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("<html");
    }
  });
});

describe("uiPlugin without a built UI", () => {
  test("/ says how to get the UI", async () => {
    const res = await get({}, "/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const body = await res.text();
    expect(body).toContain("admin UI was not built");
    expect(body).toContain("bun run build");
    expect(body).toContain("bun run demo");
    expect(body).not.toContain("<script");
  });

  test("/swagger, the API reference page's path, says so too and points at the OpenAPI document", async () => {
    const res = await get({}, "/swagger");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    const body = await res.text();
    expect(body).toContain("admin UI was not built");
    expect(body).toContain("<code>/swagger/json</code>");
  });

  test("other paths stay 404 and the API is untouched", async () => {
    expect((await get({}, "/accounts")).status).toBe(404);
    expect((await get({}, "/v1/nothing")).status).toBe(404);
    expect(await (await get({}, "/health")).text()).toBe("ok");
  });

});

describe("chooseEncoding", () => {
  test("follows q-values and falls back to identity", () => {
    expect(chooseEncoding(null, ["br", "gzip"])).toBeNull();
    expect(chooseEncoding("gzip", [])).toBeNull();
    expect(chooseEncoding("identity", ["br", "gzip"])).toBeNull();
    expect(chooseEncoding("br, gzip", ["br", "gzip"])).toBe("br");
    expect(chooseEncoding("br, gzip", ["gzip"])).toBe("gzip");
    expect(chooseEncoding("gzip;q=1.0, br;q=0.8", ["br", "gzip"])).toBe("gzip");
    expect(chooseEncoding("br;q=0, gzip;q=0", ["br", "gzip"])).toBeNull();
    expect(chooseEncoding("*", ["br", "gzip"])).toBe("br");
    expect(chooseEncoding("*;q=0.1, br;q=0", ["br", "gzip"])).toBe("gzip");
    expect(chooseEncoding("x-gzip", ["br", "gzip"])).toBe("gzip");
  });
});
