/**
 * generateAssistantResponse as Kiro judges it before answering: bearer token, JSON, size, profileArn, the
 * request rules, then quota — each refusal with Kiro's own status and body (kiro-protocol.md §5.8). Also the
 * default answer: an echo of the user's words followed by metering and context usage.
 */
import type { AccountBook, SimAccountState } from "./accounts";
import { identifyCaller } from "./bearer";
import {
  contextUsage,
  improperlyFormed,
  invalidBearer,
  metering,
  quotaExhausted,
  type Reply,
  type StreamReply,
  textEvents,
  tooLong,
} from "./replies";
import type { RecordedRequest } from "./simulator";
import { contextWindowOf } from "./usage";
import { validateRequest } from "./validate";

export type Admission =
  | { admitted: true; account: SimAccountState }
  | { admitted: false; reply: Reply; account?: SimAccountState; why: string };

export function admitChat(book: AccountBook, req: RecordedRequest, maxConversationBytes: number, models: readonly string[]): Admission {
  const profileArn = isObject(req.body) ? req.body.profileArn : undefined;
  const caller = identifyCaller(book, req.headers, profileArn);
  if (!caller.ok) return { admitted: false, reply: invalidBearer(), account: caller.account, why: "bearer token refused" };
  const account = caller.account;
  const refuse = (reply: Reply, why: string): Admission => ({ admitted: false, reply, account, why });

  if (typeof req.body === "string") return refuse(improperlyFormed("REQUEST_BODY_INVALID_JSON"), "json: body is not JSON");
  if (req.bodyBytes > maxConversationBytes) {
    return refuse(tooLong(), `size: body is over ${maxConversationBytes} bytes`);
  }
  const violation = validateRequest(req.body, models);
  if (violation) return refuse(improperlyFormed(violation.reason), `${violation.rule}: ${violation.detail}`);
  if (account.currentUsage >= account.usageLimit) return refuse(quotaExhausted(), "quota: usage limit reached");
  return { admitted: true, account };
}

const ECHO_LIMIT = 120;

/** The answer when nothing is scripted: deterministic, and it shows what arrived. */
export function echoReply(req: RecordedRequest): StreamReply {
  const message = userMessageOf(req.body);
  const said = typeof message.content === "string" ? message.content : "";
  const results = isObject(message.userInputMessageContext) && Array.isArray(message.userInputMessageContext.toolResults)
    ? message.userInputMessageContext.toolResults.length
    : 0;
  const quoted = [...said].length > ECHO_LIMIT ? `${[...said].slice(0, ECHO_LIMIT).join("")}…` : said;
  const answer = results > 0
    ? `Hello from the Kiro simulator. Received ${results} tool result(s). You said: ${quoted}`
    : `Hello from the Kiro simulator. You said: ${quoted}`;

  const bytes = req.bodyBytes;
  const window = contextWindowOf(typeof message.modelId === "string" ? message.modelId : "");
  // About four bytes of JSON per token: a plausible share of the context window.
  const percentage = Math.round((bytes / 4 / window) * 100 * 10_000) / 10_000;
  return {
    kind: "stream",
    steps: [...textEvents(answer), metering(Math.round((0.01 + bytes / 1e6) * 10_000) / 10_000), contextUsage(percentage)],
  };
}

function userMessageOf(body: unknown): Record<string, unknown> {
  const state = isObject(body) ? body.conversationState : undefined;
  const current = isObject(state) ? state.currentMessage : undefined;
  const message = isObject(current) ? current.userInputMessage : undefined;
  return isObject(message) ? message : {};
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
