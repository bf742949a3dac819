import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { uiPlugin, type UiAssetTable } from "../src/admin/ui";
import { collectUiAssets, precompress, renderAssetModule } from "./ui-assets";

let dir: string;
const BIG_JS = `export const words = ${JSON.stringify("kiro ".repeat(2000))};\n`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kiro-ui-assets-"));
  await Bun.write(join(dir, "dist", "index.html"), '<!doctype html><script type="module" src="/assets/app-Hash1.js"></script>');
  await Bun.write(join(dir, "dist", "assets", "app-Hash1.js"), BIG_JS);
  await Bun.write(join(dir, "dist", "assets", "logo-Hash2.png"), new Uint8Array(4096).fill(7));
  await Bun.write(join(dir, "dist", "robots.txt"), "User-agent: *\n");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("precompress writes .br and .gz beside large text files only", async () => {
  const dist = join(dir, "dist");
  await precompress(dist);
  const files = (await readdir(dist, { recursive: true })).map(String).sort();
  expect(files).toEqual(["assets", "assets/app-Hash1.js", "assets/app-Hash1.js.br", "assets/app-Hash1.js.gz", "assets/logo-Hash2.png", "index.html", "robots.txt"]);
  const js = join(dist, "assets", "app-Hash1.js");
  expect(brotliDecompressSync(await Bun.file(`${js}.br`).bytes()).toString()).toBe(BIG_JS);
  expect(gunzipSync(await Bun.file(`${js}.gz`).bytes()).toString()).toBe(BIG_JS);
});

test("the table lists every file, aliases the app's routes to index.html, and marks only assets/ immutable", async () => {
  const dist = join(dir, "dist");
  const table = await collectUiAssets(dist, ["/", "/accounts"]);
  expect(Object.keys(table).sort()).toEqual(["/", "/accounts", "/assets/app-Hash1.js", "/assets/logo-Hash2.png", "/index.html", "/robots.txt"]);
  expect(table["/"]).toBe(table["/index.html"] as never);
  expect(table["/index.html"]).toMatchObject({ contentType: "text/html; charset=utf-8", immutable: false });
  expect(table["/index.html"]?.encodings).toBeUndefined();
  expect(table["/assets/app-Hash1.js"]).toMatchObject({
    contentType: "text/javascript; charset=utf-8",
    immutable: true,
    encodings: { br: `${join(dist, "assets", "app-Hash1.js")}.br`, gzip: `${join(dist, "assets", "app-Hash1.js")}.gz` },
  });
  expect(table["/assets/logo-Hash2.png"]?.contentType).toBe("image/png");
  expect(table["/robots.txt"]).toMatchObject({ contentType: "text/plain; charset=utf-8", immutable: false });
  expect(table["/index.html"]?.etag).toMatch(/^"[\w-]{22}"$/);
  expect(table["/index.html"]?.etag).not.toBe(table["/robots.txt"]?.etag);
});

test("a dist without index.html is a build failure, said plainly", async () => {
  const empty = join(dir, "empty");
  await Bun.write(join(empty, "x.js"), "1");
  expect(collectUiAssets(empty, ["/"])).rejects.toThrow("has no index.html");
});

test("the generated module imports each file once and, loaded, serves the UI", async () => {
  const dist = join(dir, "dist");
  const table = await collectUiAssets(dist, ["/", "/accounts"]);
  const moduleDir = join(dir, "src", "admin");
  const source = renderAssetModule(table, moduleDir);
  expect(source.startsWith("// @ts-nocheck\n")).toBe(true);
  const imports = source.split("\n").filter((line) => line.startsWith("import file"));
  expect(imports).toHaveLength(6);
  expect(imports).toContain('import file0 from "../../dist/assets/app-Hash1.js" with { type: "file" };');

  await Bun.write(join(moduleDir, "ui-assets.gen.ts"), source);
  const { uiAssets } = (await import(join(moduleDir, "ui-assets.gen.ts"))) as { uiAssets: UiAssetTable };
  const ui = uiPlugin(uiAssets);
  const page = await ui.handle(new Request("http://localhost/accounts"));
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("/assets/app-Hash1.js");
  const script = await ui.handle(new Request("http://localhost/assets/app-Hash1.js", { headers: { "accept-encoding": "br" } }));
  expect(script.headers.get("content-encoding")).toBe("br");
  expect(brotliDecompressSync(new Uint8Array(await script.arrayBuffer())).toString()).toBe(BIG_JS);
});
