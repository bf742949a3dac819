import { readdir, stat } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import type { UiAsset, UiAssetTable } from "../src/admin/ui";

/** Content types of what Vite emits (and a few files a public/ folder may add). */
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".webmanifest", ".svg", ".txt", ".map", ".ico", ".ttf"]);

/** Below this, the headers of a compressed answer cost more than they save. */
const MIN_COMPRESS_BYTES = 1024;

export const contentTypeOf = (path: string) => CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";

const isSibling = (path: string) => path.endsWith(".br") || path.endsWith(".gz");

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Writes `.br` and `.gz` beside every compressible file where they are actually smaller. */
export async function precompress(dir: string): Promise<void> {
  for (const path of await listFiles(dir)) {
    if (isSibling(path) || !COMPRESSIBLE.has(extname(path).toLowerCase())) continue;
    const bytes = new Uint8Array(await Bun.file(path).arrayBuffer());
    if (bytes.length < MIN_COMPRESS_BYTES) continue;
    const br = brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
    const gz = gzipSync(bytes, { level: 9 });
    if (br.length < bytes.length) await Bun.write(`${path}.br`, br);
    if (gz.length < bytes.length) await Bun.write(`${path}.gz`, gz);
  }
}

async function etagOf(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(await Bun.file(path).arrayBuffer());
  return `"${hasher.digest("base64url").slice(0, 22)}"`;
}

const exists = async (path: string) => (await stat(path).catch(() => null))?.isFile() === true;

/**
 * The table the server serves, keyed by URL path, with files as paths on disk: every file of `dir`, plus
 * each of the app's client-side `routes` as an alias of index.html. Vite's `assets/` names carry a content
 * hash, so only those are immutable.
 */
export async function collectUiAssets(dir: string, routes: readonly string[]): Promise<Record<string, UiAsset>> {
  const table: Record<string, UiAsset> = {};
  for (const path of await listFiles(dir)) {
    if (isSibling(path)) continue;
    const urlPath = `/${relative(dir, path).split(sep).join("/")}`;
    const encodings: UiAsset["encodings"] = {};
    if (await exists(`${path}.br`)) encodings.br = `${path}.br`;
    if (await exists(`${path}.gz`)) encodings.gzip = `${path}.gz`;
    table[urlPath] = {
      file: path,
      contentType: contentTypeOf(path),
      etag: await etagOf(path),
      immutable: urlPath.startsWith("/assets/"),
      ...(encodings.br || encodings.gzip ? { encodings } : {}),
    };
  }
  const index = table["/index.html"];
  if (!index) throw new Error(`${dir} has no index.html: did the UI build fail?`);
  for (const route of routes) table[route] = index;
  return table;
}

/**
 * The generated module's source: one `with { type: "file" }` import per file, so `bun build --compile`
 * embeds them and the binary serves them from its own `$bunfs` without touching the disk.
 */
export function renderAssetModule(table: UiAssetTable, moduleDir: string): string {
  const fileNames = new Map<string, string>();
  const imports: string[] = [];
  const ref = (file: string) => {
    let name = fileNames.get(file);
    if (!name) {
      name = `file${fileNames.size}`;
      fileNames.set(file, name);
      let specifier = relative(moduleDir, file).split(sep).join("/");
      if (!specifier.startsWith(".")) specifier = `./${specifier}`;
      imports.push(`import ${name} from ${JSON.stringify(specifier)} with { type: "file" };`);
    }
    return name;
  };
  const assetNames = new Map<UiAsset, string>();
  const declarations: string[] = [];
  const entries: string[] = [];
  for (const [urlPath, asset] of Object.entries(table)) {
    let name = assetNames.get(asset);
    if (!name) {
      name = `asset${assetNames.size}`;
      assetNames.set(asset, name);
      const file = ref(asset.file);
      const encodings = [asset.encodings?.br && `br: ${ref(asset.encodings.br)}`, asset.encodings?.gzip && `gzip: ${ref(asset.encodings.gzip)}`].filter(Boolean);
      const fields = [
        `file: ${file}`,
        `contentType: ${JSON.stringify(asset.contentType)}`,
        `etag: ${JSON.stringify(asset.etag)}`,
        `immutable: ${asset.immutable}`,
        ...(encodings.length > 0 ? [`encodings: { ${encodings.join(", ")} }`] : []),
      ];
      declarations.push(`const ${name} = { ${fields.join(", ")} };`);
    }
    entries.push(`  ${JSON.stringify(urlPath)}: ${name},`);
  }
  return [
    "// @ts-nocheck",
    "// Generated by scripts/build.ts from ui/dist for `bun build --compile`; the committed version is an empty table.",
    'import type { UiAssetTable } from "./ui";',
    ...imports,
    "",
    ...declarations,
    "",
    "export const uiAssets: UiAssetTable = {",
    ...entries,
    "};",
    "",
  ].join("\n");
}
