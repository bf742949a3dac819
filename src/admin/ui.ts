import { Elysia, NotFoundError } from "elysia";
import { uiAssets } from "./ui-assets.gen";

/** One file of the built admin UI, as scripts/build.ts embeds it into the binary. */
export interface UiAsset {
  /** Where Bun finds the bytes: an embedded `$bunfs` path inside the binary, a disk path under `bun run`. */
  file: string;
  contentType: string;
  /** Strong validator of the uncompressed bytes, quoted. */
  etag: string;
  /** The name carries a content hash, so the file may be cached forever. */
  immutable: boolean;
  /** Precompressed siblings of `file`, by content coding. */
  encodings?: { br?: string; gzip?: string };
}

/** URL path (`/`, `/accounts`, `/index.html`, `/assets/index-3f2a.js`) → asset. */
export type UiAssetTable = Readonly<Record<string, UiAsset>>;

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

/** The app loads only its own bundled files and talks only to this server. */
const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const NOT_BUILT_CSP = "default-src 'none'; frame-ancestors 'none'";

/** The OpenAPI document, generated from the routes' schemas by @elysiajs/swagger (src/app.ts); no key needed. */
export const OPENAPI_SPEC_PATH = "/swagger/json";

/** The UI's page that renders that document (ui/src/routes.ts names it too). */
const API_REFERENCE_PATH = "/swagger";

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kiro-ts</title></head>
<body>
<h1>kiro-ts is running, but its admin UI was not built</h1>
<p>The API works: <code>/v1/messages</code>, <code>/admin/*</code>, <code>/health</code>, and its OpenAPI
document is at <code>/swagger/json</code>.</p>
<p>The admin UI comes with the single binary (<code>bun run build</code>, then run <code>dist/kiro-ts</code>) and
with <code>bun run demo</code>, which builds it in a checkout, and so does the API reference page at <code>/swagger</code>.
To work on the UI, run
<code>bun x vite --config ui/vite.config.ts</code>.</p>
</body></html>
`;

/** The best coding the client accepts among those we have, by its q-values (br wins a tie). */
export function chooseEncoding(acceptEncoding: string | null, available: readonly ("br" | "gzip")[]): "br" | "gzip" | null {
  if (!acceptEncoding || available.length === 0) return null;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name.trim(), Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (coding: string) => weights.get(coding) ?? (coding === "gzip" ? weights.get("x-gzip") : undefined) ?? weights.get("*") ?? 0;
  let best: "br" | "gzip" | null = null;
  let bestWeight = 0;
  for (const coding of available) {
    const weight = weightOf(coding);
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}

function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const candidate = tag.trim();
    return candidate === "*" || candidate.replace(/^W\//, "") === etag;
  });
}

/** Each coding is its own representation, so it gets its own validator. */
function encodedEtag(etag: string, coding: "br" | "gzip" | null): string {
  return coding === null ? etag : `${etag.slice(0, -1)}-${coding}"`;
}

function serveAsset(asset: UiAsset, request: Request): Response {
  const available = (["br", "gzip"] as const).filter((coding) => asset.encodings?.[coding] !== undefined);
  const coding = chooseEncoding(request.headers.get("accept-encoding"), available);
  const etag = encodedEtag(asset.etag, coding);
  const headers = new Headers({
    "cache-control": asset.immutable ? IMMUTABLE : REVALIDATE,
    etag,
    "x-content-type-options": "nosniff",
  });
  if (available.length > 0) headers.set("vary", "accept-encoding");
  if (asset.contentType.startsWith("text/html")) {
    headers.set("content-security-policy", UI_CSP);
    headers.set("referrer-policy", "no-referrer");
  }
  if (etagMatches(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });

  headers.set("content-type", asset.contentType);
  const file = coding === null ? asset.file : (asset.encodings?.[coding] ?? asset.file);
  if (coding !== null) headers.set("content-encoding", coding);
  return new Response(Bun.file(file), { headers });
}

function notBuiltPage(): Response {
  return new Response(NOT_BUILT_PAGE, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": REVALIDATE,
      "content-security-policy": NOT_BUILT_CSP,
      "x-content-type-options": "nosniff",
    },
  });
}

/**
 * Serves the embedded admin UI at `/`. The table names every servable path, the app's client-side routes
 * included (as aliases of `index.html`; the API reference page at `/swagger` is one), so anything else — an API
 * miss, a guessed file, an encoded `../` — is a plain 404 and nothing is ever looked up on disk by name. With an
 * empty table (a checkout's server, tests, server-only builds) `/` and `/swagger` say where the UI comes with.
 */
export function uiPlugin(assets: UiAssetTable = uiAssets) {
  const built = Object.keys(assets).length > 0;
  return new Elysia({ name: "ui" }).get("/*", ({ request, path }) => {
    const asset = assets[path];
    if (asset) return serveAsset(asset, request);
    if (!built && (path === "/" || path === API_REFERENCE_PATH)) return notBuiltPage();
    throw new NotFoundError();
  });
}
