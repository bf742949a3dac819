/**
 * generateAssistantResponse as Kiro judges it before answering: bearer token, JSON, size, profileArn and the
 * host's own rules, the request rules, the model's gates and fields, replayed reasoning, then quota — each
 * refusal with Kiro's own status and body (kiro-protocol.md §5.8; kiro-protocol-2026.md §1.5, §2, §3.2, §6).
 * Also the default answer: an echo of the user's words (or a demo prompt's answer) ending with Kiro's tail.
 */
import type { AccountBook, SimAccountState } from "./accounts";
import { bearerToken, identifyCaller } from "./bearer";
import { type CatalogOptions, type ModelFacts, modelFacts } from "./catalog";
import { demoReply } from "./demo-prompts";
import type { Form, HostFamily } from "./forms";
import { judgeModelFields, type ModelFields } from "./model-fields";
import { judgeReplayedReasoning, nativeReasoning, type ReasoningSigner } from "./reasoning";
import {
  fieldsNotSupported,
  improperlyFormed,
  invalidBearer,
  invalidFields,
  invalidModel,
  profileArnRequired,
  quotaExhausted,
  type Reply,
  type StreamReply,
  type StreamStep,
  tail,
  textEvents,
  tooLong,
} from "./replies";
import type { RecordedRequest } from "./simulator";
import { validateRequest } from "./validate";

export type Admission =
  | { admitted: true; account: SimAccountState }
  | { admitted: false; reply: Reply; account?: SimAccountState; why: string };

/** Where the call came in and what this simulator's Kiro serves. */
export interface ChatSetting {
  form: Form;
  host: HostFamily | undefined;
  maxConversationBytes: number;
  models: readonly string[];
  catalog: CatalogOptions;
  /** Checks replayed reasoning against its signatures; undefined lets every block pass. */
  signer: ReasoningSigner | undefined;
  /** The legacy REST form also refuses a call without profileArn (the addendum says q.* does; default off). */
  profileArnRequiredOnLegacy: boolean;
  /** REST on the runtime host (variant C) answers REQUEST_BODY_INVALID, as 9R #3774 claims (unconfirmed; default off). */
  restOnRuntimeRefused: boolean;
}

export function admitChat(book: AccountBook, req: RecordedRequest, s: ChatSetting): Admission {
  const body = isObject(req.body) ? req.body : undefined;
  const profileArn = body?.profileArn;
  const runtime = s.form === "awsJson" || s.host === "runtime";
  const token = bearerToken(req.headers);
  // An unmarked API key is no known token, and without an ARN Kiro reports the ARN missing (§1.5, KCF).
  if (token?.startsWith("ksk_") && req.headers.tokentype !== "API_KEY" && profileArn === undefined) {
    return { admitted: false, reply: profileArnRequired(runtime ? "runtime" : "legacy"), why: "profileArn: an API key without tokentype: API_KEY" };
  }
  const caller = identifyCaller(book, req.headers, profileArn);
  if (!caller.ok) {
    // The runtime refuses an ARN that is not the caller's as a malformed body (pi-free PR #485).
    if (caller.why === "profile" && runtime) {
      return { admitted: false, reply: improperlyFormed("REQUEST_BODY_INVALID"), account: caller.account, why: "profileArn: not the caller's profile" };
    }
    return { admitted: false, reply: invalidBearer(), account: caller.account, why: "bearer token refused" };
  }
  const account = caller.account;
  const refuse = (reply: Reply, why: string): Admission => ({ admitted: false, reply, account, why });

  if (typeof req.body === "string") return refuse(improperlyFormed("REQUEST_BODY_INVALID_JSON"), "json: body is not JSON");
  if (req.bodyBytes > s.maxConversationBytes) {
    return refuse(tooLong(), `size: body is over ${s.maxConversationBytes} bytes`);
  }
  if (profileArn === undefined && account.authMethod !== "api_key" && (runtime || s.profileArnRequiredOnLegacy)) {
    return refuse(profileArnRequired(runtime ? "runtime" : "legacy"), "profileArn: missing");
  }
  if (runtime && body && "systemPrompt" in body) return refuse(improperlyFormed("REQUEST_BODY_INVALID"), "runtime: top-level systemPrompt");
  if (s.form === "rest" && s.host === "runtime" && s.restOnRuntimeRefused) {
    return refuse(improperlyFormed("REQUEST_BODY_INVALID"), "runtime: the REST path is deprecated");
  }
  const violation = validateRequest(req.body, s.models);
  if (violation?.reason === "INVALID_MODEL_ID") return refuse(invalidModel(), `${violation.rule}: ${violation.detail}`);
  if (violation) return refuse(improperlyFormed(violation.reason), `${violation.rule}: ${violation.detail}`);
  const modelId = currentModelOf(req.body);
  if (account.models && !account.models.includes(modelId)) return refuse(invalidModel(), `model-gate: ${modelId} is not open to ${account.name}`);
  const fields = judgeModelFields(req.body, modelFacts(modelId, s.catalog));
  if (!fields.ok) return refuse(fields.why === "not-supported" ? fieldsNotSupported() : invalidFields(), `model-fields: ${fields.detail}`);
  const replayed = s.signer && judgeReplayedReasoning(req.body, s.signer);
  if (replayed) return refuse(replayed, `reasoning: ${JSON.stringify(replayed.body)}`);
  if (account.currentUsage >= account.usageLimit) return refuse(quotaExhausted(), "quota: usage limit reached");
  return { admitted: true, account };
}

/** What the echo needs to answer as the request's model would: its reasoning, and whether to count tokens. */
export interface EchoSetting {
  signer?: ReasoningSigner;
  catalog?: CatalogOptions;
  /** metadataEvent carries tokenUsage (unconfirmed when Kiro sends it, §4.1; default: left out). */
  tokenUsage?: boolean;
}

const ECHO_LIMIT = 120;

/** The answer when nothing is scripted: deterministic, and it shows what arrived. */
export function echoReply(req: RecordedRequest, setting: EchoSetting = {}): StreamReply {
  const message = userMessageOf(req.body);
  const modelId = currentModelOf(req.body);
  const facts = modelFacts(modelId, setting.catalog);
  const verdict = judgeModelFields(req.body, facts);
  const fields = verdict.ok ? verdict.fields : undefined;
  const said = typeof message.content === "string" ? message.content : "";
  const demo = demoReply(req.body, facts, fields, setting.signer);
  const steps: StreamStep[] = demo ?? plainEcho(said, message, facts, fields, setting.signer);

  const bytes = req.bodyBytes;
  // About four bytes of JSON per token: a plausible share of the context window.
  const percentage = Math.round((bytes / 4 / facts.contextWindow) * 100 * 10_000) / 10_000;
  const written = steps.reduce((n, s) => n + (s.type === "text" ? s.content.length : 0), 0);
  return {
    kind: "stream",
    steps: [
      ...steps,
      ...tail({
        contextUsage: percentage,
        credits: Math.round((0.01 + bytes / 1e6) * 10_000) / 10_000,
        ...(setting.tokenUsage
          ? { tokenUsage: { uncachedInputTokens: Math.ceil(bytes / 4), outputTokens: Math.max(1, Math.ceil(written / 4)), cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } }
          : {}),
      }),
    ],
  };
}

function plainEcho(said: string, message: Record<string, unknown>, facts: ModelFacts, fields: ModelFields | undefined, signer: ReasoningSigner | undefined): StreamStep[] {
  const results = isObject(message.userInputMessageContext) && Array.isArray(message.userInputMessageContext.toolResults)
    ? message.userInputMessageContext.toolResults.length
    : 0;
  const quoted = [...said].length > ECHO_LIMIT ? `${[...said].slice(0, ECHO_LIMIT).join("")}…` : said;
  const answer = results > 0
    ? `Hello from the Kiro simulator. Received ${results} tool result(s). You said: ${quoted}`
    : `Hello from the Kiro simulator. You said: ${quoted}`;
  const reasoning = signer
    ? nativeReasoning(facts, fields, `The user said ${JSON.stringify(quoted)}; I echo it.`, signer)
    : { before: [], after: [] };
  return [...reasoning.before, ...textEvents(answer), ...reasoning.after];
}

/** The modelId of the current message ("" when there is none). */
export function currentModelOf(body: unknown): string {
  const modelId = userMessageOf(body).modelId;
  return typeof modelId === "string" ? modelId : "";
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
