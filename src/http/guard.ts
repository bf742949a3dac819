/**
 * The key guard every area uses (design.md "The shared edge"): a route says which key it takes — the client's or
 * the admin's — with the `key` macro, and a route with a body reads it with `jsonBody`, which checks that key
 * before a byte of the body is read (body.ts says why Elysia's own parsing would read a stranger's body first).
 * Failures are GatewayError kinds; each area renders them in its own wire shape.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { Server } from "bun";
import { Elysia } from "elysia";
import { GatewayError } from "../errors";
import type { Logger } from "../log";
import type { TrustedProxies } from "./address";
import { authenticate, type FailedAuthLimiter, Key } from "./auth";
import { BodyError, type BodyLimits, type BodyProblem, jsonBodyReader } from "./body";

/** Whose key a route takes. */
export type KeyKind = "client" | "admin";

export interface GuardSettings {
  limiter: FailedAuthLimiter;
  proxies: TrustedProxies;
  log: Logger;
  /** The client key, and the admin key (the client key when no admin key is configured). */
  keys: Record<KeyKind, string>;
  bodies: BodyLimits;
}

/** What each kind of route says to a caller without the right key, and writes to the log. */
const REFUSAL: Record<KeyKind, { message: string; log: string }> = {
  client: { message: "invalid x-api-key", log: "rejected a request with a wrong or missing API key" },
  admin: {
    message: "invalid admin API key: send it as x-api-key or Authorization: Bearer",
    log: "rejected an admin request with a wrong or missing key",
  },
};

type Caller = { request: Request; server: Server<unknown> | null };

export class KeyGuard {
  private readonly keys: Record<KeyKind, Key>;

  constructor(private readonly settings: GuardSettings) {
    this.keys = { client: new Key(settings.keys.client), admin: new Key(settings.keys.admin) };
  }

  /** Throws the refusal for a caller without the right key; failures count toward the address's lock-out. */
  admit(who: KeyKind, { request, server }: Caller): void {
    const address = this.settings.proxies.clientAddress(server?.requestIP(request)?.address ?? "unknown", request.headers);
    const outcome = authenticate(this.settings.limiter, address, request.headers, this.keys[who]);
    if (outcome.ok) return;
    this.settings.log.info(REFUSAL[who].log, { path: new URL(request.url).pathname, status: outcome.status });
    throw outcome.status === 429
      ? new GatewayError("rate_limited", "too many failed authentication attempts from this address; wait and retry", {
          retryAfterSecs: outcome.retryAfterSecs,
        })
      : new GatewayError("authentication", REFUSAL[who].message);
  }

  /**
   * The `key` macro: `{ key: "client" }` on a route or guard admits only callers with that key — in `parse`, so
   * that Elysia reads no stranger's body even on a route without a schema, and in `beforeHandle` for requests
   * without a body. A route with a body brings its own parse hook (jsonBody), which Elysia runs instead.
   */
  get plugin() {
    return new Elysia({ name: "key-guard" }).macro({
      key: (who: KeyKind) => ({
        parse: (caller: Caller) => this.admit(who, caller),
        beforeHandle: (caller: Caller) => this.admit(who, caller),
      }),
    });
  }

  /**
   * Route options for a JSON body: the key first, then size of nesting, JSON and the schema. A body that cannot
   * be read is an invalid request.
   */
  jsonBody<S extends TSchema>(schema: S, who: KeyKind) {
    const read = jsonBodyReader<Static<S>>(schema, this.settings.bodies);
    return {
      body: schema,
      parse: async (caller: Caller): Promise<Static<S>> => {
        this.admit(who, caller);
        try {
          return await read(caller.request);
        } catch (e) {
          throw e instanceof BodyError ? refusal(e) : e;
        }
      },
    };
  }
}

function refusal(e: BodyError): GatewayError {
  const kind: BodyProblem["kind"] = e.problem.kind;
  switch (kind) {
    case "too_large":
      return new GatewayError("request_too_large", e.message);
    case "busy":
      return new GatewayError("rate_limited", e.message, { retryAfterSecs: 1 });
    default:
      return new GatewayError("invalid_request", e.message);
  }
}

/** Elysia hands what a parse hook throws to onError inside its ParseError: the GatewayError is its cause. */
export function thrownBy(code: unknown, error: unknown): unknown {
  return code === "PARSE" ? (error as { cause?: unknown }).cause : error;
}
