/**
 * The kiro-rs envelope for the admin plugins of keys, usage and the request log: `{success:true, data}`, or
 * `{success:false, error}` — HTTP 200 for a logical error (a name taken, an id unknown), the edge's own status for
 * the key, the lock-out and an unreadable body.
 */
import { type TSchema, Type as t } from "@sinclair/typebox";
import { GatewayError } from "../errors";
import { describeValidation } from "../http/body";
import { thrownBy } from "../http/guard";
import type { Logger } from "../log";

export const ok = <T>(data: T) => ({ success: true as const, data });

/** The envelope of a success, for response schemas. */
export const Envelope = <S extends TSchema>(data: S) => t.Object({ success: t.Literal(true), data });

const EDGE_STATUS: Partial<Record<GatewayError["kind"], number>> = {
  authentication: 401,
  rate_limited: 429,
  invalid_request: 400,
  request_too_large: 413,
};

function envelope(status: number, error: string, retryAfterSecs?: number): Response {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (retryAfterSecs) headers["retry-after"] = String(retryAfterSecs);
  return new Response(JSON.stringify({ success: false, error }), { status, headers });
}

/** An onError hook rendering what the admin plugins throw. */
export function renderAdminError(log: Logger) {
  return ({ code, error, set }: { code: unknown; error: unknown; set: { status?: number | string } }) => {
    const cause = thrownBy(code, error);
    if (cause instanceof GatewayError) {
      // A refusal at the edge keeps its status; what a handler decided is a logical error.
      const edge = code === "PARSE" || cause.kind === "authentication" || cause.kind === "rate_limited";
      const status = edge ? EDGE_STATUS[cause.kind] ?? 400 : 200;
      set.status = status;
      return envelope(status, cause.message, cause.detail.retryAfterSecs);
    }
    if (code === "VALIDATION") {
      set.status = 400;
      const v = error as { all?: unknown; message: string };
      return envelope(400, describeValidation(v.all as never, v.message));
    }
    if (code === "PARSE") {
      set.status = 400;
      return envelope(400, "the request body is not valid JSON");
    }
    if (code === "NOT_FOUND") return undefined;
    log.error("admin endpoint failed", { error: error instanceof Error ? error.message : String(error) });
    set.status = 500;
    return envelope(500, error instanceof Error ? error.message : String(error));
  };
}
