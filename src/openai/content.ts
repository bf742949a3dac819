/**
 * Message content of both OpenAI APIs as Anthropic content blocks. The two APIs name their parts differently —
 * Chat Completions `text` / `image_url: {url}`, Responses `input_text` / `output_text` / `input_image: url` — and
 * both send plain strings too; here they become `text` and `image` blocks, and a part Kiro cannot take is a 400
 * naming it.
 */
import { invalidRequest } from "../errors";
import { imageBlock } from "./images";
import type { Origins } from "./origins";

export type Block = { type: string } & Record<string, unknown>;

type Part = Record<string, unknown>;

const isObject = (v: unknown): v is Part => typeof v === "object" && v !== null && !Array.isArray(v);
const TEXT_PARTS = new Set(["text", "input_text", "output_text"]);

/**
 * Content (a string, or an array of parts) as blocks; `at` names the content field in errors, and each block is
 * marked in `origins` with its part's field for the shared converter's errors (origins.ts).
 */
export function contentBlocks(content: unknown, at: string, origins: Origins): Block[] {
  if (typeof content === "string") return content === "" ? [] : [origins.mark({ type: "text", text: content }, at)];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) throw invalidRequest(`${at}: content must be a string or an array of parts`);
  return content.map((part, j) => partBlock(part, `${at}[${j}]`, origins));
}

function partBlock(part: unknown, at: string, origins: Origins): Block {
  if (!isObject(part)) throw invalidRequest(`${at}: a content part must be an object with a "type"`);
  const type = part.type;
  if (typeof type === "string" && TEXT_PARTS.has(type)) {
    if (typeof part.text !== "string") throw invalidRequest(`${at}.text: a ${type} part needs a string "text"`);
    return origins.mark({ type: "text", text: part.text }, at);
  }
  switch (type) {
    case "refusal":
      return origins.mark({ type: "text", text: typeof part.refusal === "string" ? part.refusal : "" }, at);
    case "image_url": {
      const image = part.image_url;
      return origins.mark(imageBlock(isObject(image) ? image.url : image, `${at}.image_url`), `${at}.image_url`);
    }
    case "input_image":
      if (part.image_url === undefined && part.file_id !== undefined) {
        throw invalidRequest(`${at}.file_id: uploaded files are not kept here; send the image inline as a data: URL`);
      }
      return origins.mark(imageBlock(part.image_url, `${at}.image_url`), `${at}.image_url`);
    default:
      throw invalidRequest(`${at}.type: content part type ${JSON.stringify(String(type).slice(0, 40))} is not supported (text and images are)`);
  }
}

/**
 * Content reduced to its text, parts joined by newlines: instructions and tool outputs, where Kiro takes text only.
 * Images in a tool output are left out, as Kiro drops them there (kiro-protocol-2026.md §9).
 */
export function contentText(content: unknown, at: string): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (!Array.isArray(content)) throw invalidRequest(`${at}: content must be a string or an array of parts`);
  return content
    .map((part, j) => (isObject(part) && typeof part.text === "string" ? part.text : isObject(part) ? undefined : invalidPart(`${at}[${j}]`)))
    .filter((text) => text !== undefined)
    .join("\n");
}

function invalidPart(at: string): never {
  throw invalidRequest(`${at}: a content part must be an object with a "type"`);
}
