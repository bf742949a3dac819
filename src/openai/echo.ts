/**
 * What a Responses answer repeats of its request, and the JSON of what carries it. The API echoes the request's
 * settings in every response object; the long ones — `tools` (Codex declares tens of kilobytes of them) and
 * `instructions` — are written as the client's own JSON text, which the body reader kept (verbatim.ts `whole`),
 * rather than serialised again from their parsed values: on the bench's 1 MB request that was ~5 % of the request's
 * CPU, and a streamed answer repeats the response three times (created, in progress, completed).
 */
import { fieldTextsOf } from "../http/verbatim";
import type { ResponseEcho } from "./responses-reply";
import type { ResponseObject, ResponsesEvent, ResponsesRequest } from "./schemas";

type Echoed = "instructions" | "tools";

/** The top-level fields of a Responses request the body reader keeps as the client's text. */
export const ECHOED_AS_SENT: readonly Echoed[] = ["instructions", "tools"];

/** Stands for a field in the JSON until the client's text replaces it: no client or model can write it unknowingly. */
const MARK = `kiro-ts echo ${crypto.randomUUID()}`;

export class Echo {
  readonly values: ResponseEcho;
  /** Each field written as the client's text: its mark, as JSON, and that text. */
  private readonly texts: { field: Echoed; mark: string; text: string }[] = [];

  constructor(body: ResponsesRequest) {
    this.values = {
      instructions: body.instructions ?? null,
      max_output_tokens: body.max_output_tokens ?? null,
      parallel_tool_calls: body.parallel_tool_calls !== false,
      reasoning: { effort: body.reasoning?.effort ?? null, summary: null },
      temperature: body.temperature ?? null,
      tool_choice: body.tool_choice ?? "auto",
      tools: body.tools ?? [],
      top_p: body.top_p ?? null,
      metadata: {},
    };
    const kept = fieldTextsOf(body);
    // Only text of the value parsed: a key given twice is parsed as its last value, which may not be what was kept.
    if (kept.instructions !== undefined && typeof body.instructions === "string") this.texts.push({ field: "instructions", mark: `${MARK} instructions`, text: kept.instructions });
    if (kept.tools !== undefined && Array.isArray(body.tools)) this.texts.push({ field: "tools", mark: `${MARK} tools`, text: kept.tools });
  }

  /** A response object's JSON, in pieces to be written one after the other: the client's texts are not copied into one string. */
  responsePieces(response: ResponseObject): string[] {
    return this.texts.length === 0 ? [JSON.stringify(response)] : this.pieces(JSON.stringify(this.marked(response)));
  }

  /** An event's JSON, the response it carries (if any) written as responsePieces writes it. */
  eventJson(event: ResponsesEvent): string {
    const response = event.response as ResponseObject | undefined;
    if (this.texts.length === 0 || response === undefined) return JSON.stringify(event);
    return this.pieces(JSON.stringify({ ...event, response: this.marked(response) })).join("");
  }

  /** A copy of `response` with each field written as the client's text in place of its value. */
  private marked(response: ResponseObject): Record<string, unknown> {
    const marked: Record<string, unknown> = { ...response };
    for (const { field, mark } of this.texts) marked[field] = mark;
    return marked;
  }

  /** `json` cut at each mark, the client's text in its place: a response lists its fields as ECHOED_AS_SENT does. */
  private pieces(json: string): string[] {
    const pieces: string[] = [];
    let from = 0;
    for (const { mark, text } of this.texts) {
      const at = json.indexOf(`"${mark}"`, from);
      pieces.push(json.slice(from, at), text);
      from = at + mark.length + 2;
    }
    pieces.push(json.slice(from));
    return pieces;
  }
}
