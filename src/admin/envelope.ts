/**
 * The kiro-rs envelope of every admin plugin (accounts, keys, usage, the request log, /metrics): `{success:true,
 * data}`, or `{success:false, error}`. A failure's status and words are decided here only. The seed answers what
 * the service decides — an account not found or already there, a credential or a refresh that does not work, a
 * name taken — with HTTP 200 `{success:false}`. The edge's refusals keep a status: a wrong key, a lock-out or a
 * full house, a body too large (by kind), a body that cannot be read (Elysia's parse and validation). Anything else
 * is a fault of ours: the log gets its detail, the caller the advice to read it.
 */
import { type TSchema, Type as t } from "@sinclair/typebox";
import { ValidationError } from "elysia";
import { type ErrorKind, GatewayError } from "../errors";
import { describeValidation } from "../http/body";
import { thrownBy } from "../http/guard";
import type { Logger } from "../log";

export const ok = <T>(data: T) => ({ success: true as const, data });
export const failure = (error: string) => ({ success: false as const, error });

/** The envelope of a success, for response schemas. */
export const Envelope = <S extends TSchema>(data: S) => t.Object({ success: t.Literal(true), data });

const REFUSAL_STATUS: Partial<Record<ErrorKind, number>> = { authentication: 401, rate_limited: 429, request_too_large: 413 };

interface Failure {
  status: number;
  message: string;
  retryAfterSecs?: number;
  /** For the log only. */
  detail?: string;
}

function failureOf(code: unknown, error: unknown): Failure {
  const cause = thrownBy(code, error);
  if (cause instanceof GatewayError) {
    // The guard reads the key and the body in Elysia's parse stage: an invalid request from there is an unreadable body.
    const status = REFUSAL_STATUS[cause.kind] ?? (code === "PARSE" ? 400 : 200);
    return { status, message: cause.message, retryAfterSecs: cause.detail.retryAfterSecs };
  }
  if (error instanceof ValidationError) {
    // An answer that does not match its schema: its values (secrets, maybe) stay out of the message and the log.
    if (error.type === "response") return { status: 500, message: "the answer does not match its schema" };
    return { status: 400, message: describeValidation(error.all, error.message) };
  }
  if (code === "PARSE") return { status: 400, message: "the request body is not valid JSON" };
  return {
    status: 500,
    message: "kiro-ts failed unexpectedly; the details are in its log",
    detail: error instanceof Error ? error.stack ?? error.message : String(error),
  };
}

/** The onError hook of every admin plugin. A path nobody serves is left to the app's not-found answer. */
export function renderAdminError(log: Logger) {
  return ({ code, error, request, set }: { code: unknown; error: unknown; request: Request; set: { status?: number | string } }) => {
    if (code === "NOT_FOUND") return undefined;
    const { status, message, retryAfterSecs, detail } = failureOf(code, error);
    if (status === 500) log.error("admin endpoint failed", { path: new URL(request.url).pathname, error: detail ?? message });
    // Elysia keeps the error's own status for a returned Response unless it is set here too.
    set.status = status;
    const res = Response.json(failure(message), { status });
    if (retryAfterSecs) res.headers.set("retry-after", String(retryAfterSecs));
    return res;
  };
}
