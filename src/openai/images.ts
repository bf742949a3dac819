/**
 * Images in OpenAI requests arrive as URLs. Only `data:` URLs are taken: the gateway fetches nothing on a client's
 * behalf (no request to an address a client chose leaves it), so a remote URL is a clear 400.
 */
import type { Block } from "./content";
import { invalidRequest } from "../errors";

const MEDIA_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** An image URL as an Anthropic base64 image block; `at` names the field in errors. */
export function imageBlock(url: unknown, at: string): Block {
  if (typeof url !== "string" || url === "") throw invalidRequest(`${at}: an image needs a URL`);
  if (!url.startsWith("data:")) {
    const remote = /^https?:\/\//i.test(url);
    throw invalidRequest(
      remote
        ? `${at}: kiro-ts does not fetch remote images; send the image inline as a data: URL (data:image/png;base64,…)`
        : `${at}: the image URL is not a data: URL; send it as data:image/png;base64,…`,
    );
  }
  const comma = url.indexOf(",");
  const header = comma < 0 ? "" : url.slice("data:".length, comma);
  const [mediaType = "", ...params] = header.split(";");
  if (comma < 0 || !params.includes("base64")) throw invalidRequest(`${at}: the data: URL must be base64 (data:image/png;base64,…)`);
  if (!MEDIA_TYPES.has(mediaType.toLowerCase())) {
    throw invalidRequest(`${at}: image type ${JSON.stringify(mediaType.slice(0, 60))} is not supported (png, jpeg, gif, webp)`);
  }
  return { type: "image", source: { type: "base64", media_type: mediaType.toLowerCase(), data: url.slice(comma + 1) } };
}
