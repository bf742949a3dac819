/**
 * The key guard every area uses (design.md "The shared edge"): a route says which key it takes — the client's or
 * the admin's — with the `key` macro, and a route with a body reads it with `jsonBody`, which checks that key
 * before a byte of the body is read (body.ts says why Elysia's own parsing would read a stranger's body first).
 * A client route's caller is identified by the key it presents — config's apiKey (named `default`) or a key made
 * through the admin API — and admitted under that key's state and limits; its RequestRecord reaches the handler
 * as `client`. Failures are GatewayError kinds; each area renders them in its own wire shape.
 */
import { Kind, type Static, type TSchema, Type } from "@sinclair/typebox";
import type { Server } from "bun";
import { Elysia } from "elysia";
import type { SharedKeyLimits } from "../cluster/cluster";
import { GatewayError } from "../errors";
import type { Logger } from "../log";
import type { ClientKey, ClientKeys } from "../records/keys";
import type { Recorder } from "../records/recorder";
import type { RequestRecord } from "../records/request-record";
import type { TrustedProxies } from "./address";
import { authenticate, type FailedAuthLimiter, Key } from "./auth";
import { BodyError, type BodyLimits, type BodyProblem, jsonBodyReader } from "./body";
import type { VerbatimPaths } from "./verbatim";

/** Whose key a route takes. */
export type KeyKind = "client" | "admin";

export interface GuardSettings {
  limiter: FailedAuthLimiter;
  proxies: TrustedProxies;
  log: Logger;
  /** The admin key (the client key when no admin key is configured). */
  adminKey: string;
  /** The client keys in force, and where requests admitted under them are recorded. */
  clients: ClientKeys;
  recorder: Recorder;
  bodies: BodyLimits;
  /** The limits of a key over every instance (redisUrl); each instance's own counters decide first. */
  sharedLimits?: SharedKeyLimits;
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
  private readonly adminKey: Key;
  /** Each client request's admission under the cluster-wide limits, asked once. */
  private readonly shared = new WeakMap<RequestRecord, Promise<void>>();

  constructor(private readonly settings: GuardSettings) {
    this.adminKey = new Key(settings.adminKey);
  }

  /**
   * Throws the refusal for a caller without the right key; failures count toward the address's lock-out. A client
   * is admitted once per request (later calls answer the same): its record, or the 429 of its key's limits.
   */
  admit(who: KeyKind, request: Request, server: Server<unknown> | null): RequestRecord | undefined {
    const known = who === "client" ? this.settings.recorder.of(request) : undefined;
    if (known) {
      if (known.refusal) throw known.refusal;
      return known;
    }
    const now = Date.now();
    let presented: ClientKey | undefined;
    // Client keys are found by digest (a map lookup can leak nothing of a key but its digest's hash).
    const check = who === "admin" ? this.adminKey : {
      matches: (given: string | undefined) => {
        presented = this.settings.clients.find(given);
        return presented !== undefined && presented.unusable(now) === undefined;
      },
    };
    const addressOf = () => this.settings.proxies.clientAddress(server?.requestIP(request)?.address ?? "unknown", request.headers);
    const outcome = authenticate(this.settings.limiter, addressOf, request.headers, check);
    if (outcome.ok) return presented && this.settings.recorder.admit(request, presented, now);
    this.settings.log.info(REFUSAL[who].log, { path: new URL(request.url).pathname, status: outcome.status, key: presented?.name });
    throw outcome.status === 429
      ? new GatewayError("rate_limited", "too many failed authentication attempts from this address; wait and retry", {
          retryAfterSecs: outcome.retryAfterSecs,
        })
      : new GatewayError("authentication", presented?.unusable(now) ?? REFUSAL[who].message, who === "client" && !presented ? { clientKeyRefused: true } : {});
  }

  /**
   * The cluster's word on a client's key limits, once per request. A refusal goes on the record as a local one
   * does, and the slot the key's own counters gave is freed.
   */
  private admitShared(record: RequestRecord | undefined): Promise<void> | undefined {
    const limits = this.settings.sharedLimits;
    if (!record || !limits) return undefined;
    let admission = this.shared.get(record);
    if (!admission) {
      admission = limits.admit(record.key, record, Date.now()).catch((e: unknown) => {
        record.refusal = e;
        if (record.admitted) {
          record.admitted = false;
          record.key.release();
        }
        throw e;
      });
      this.shared.set(record, admission);
    }
    return admission;
  }

  /** What a client's body asks for goes on its record; a model its key may not use is refused. */
  private permit(request: Request, body: unknown): void {
    const record = this.settings.recorder.of(request);
    if (!record) return;
    const { model, stream } = (body ?? {}) as { model?: unknown; stream?: unknown };
    record.asked(model, stream);
    if (typeof model === "string" && !record.key.allows(model)) {
      throw new GatewayError("permission", `the API key "${record.key.name}" may not use the model ${model}`);
    }
  }

  /**
   * The `key` macro: `{ key: "client" }` on a route or guard admits only callers with that key — in `parse`, so
   * that Elysia reads no stranger's body even on a route without a schema, and in `resolve` (which runs before
   * the handler's other hooks) for requests without a body, handing the handler the client's record as `client`.
   * A route with a body brings its own parse hook (jsonBody), which Elysia runs after this one (its admit is then
   * the record already made). With several instances, `resolve` also asks the cluster-wide key limits
   * (asynchronous, so not in the body's parse).
   * Every hook destructures what it reads: Elysia infers from a hook's source what to prepare, and a context passed
   * on whole would make every route parse the request's headers, cookies and query first.
   */
  get plugin() {
    // Alone, the resolve hook is synchronous: Elysia awaits a hook it finds asynchronous on every request.
    const shared = this.settings.sharedLimits !== undefined;
    return new Elysia({ name: "key-guard" }).macro({
      key: (who: KeyKind) => ({
        parse: ({ request, server }: Caller) => void this.admit(who, request, server),
        resolve: shared
          ? async ({ request, server }: Caller) => {
              const client = this.admit(who, request, server);
              await this.admitShared(client);
              return { client };
            }
          : ({ request, server }: Caller) => ({ client: this.admit(who, request, server) }),
      }),
    });
  }

  /**
   * Route options for a JSON body: the key first, then size of nesting, JSON and the schema. A body that cannot
   * be read is an invalid request. Long strings at `verbatim` stay the client's text, and the top-level fields named
   * in `whole` are kept as the client's text too (verbatim.ts).
   */
  jsonBody<S extends TSchema>(schema: S, who: KeyKind, verbatim: VerbatimPaths = [], whole: readonly string[] = []) {
    const read = jsonBodyReader<Static<S>>(schema, this.settings.bodies, verbatim, whole);
    return {
      // The parse hook has checked the schema: a `body` schema Elysia checks would copy the whole tree and check it
      // again (~4 % of a 1 MB request). Kind Any checks nothing and leaves the tree alone; the schema stays, for the
      // OpenAPI document, as the one member of allOf.
      body: Type.Unsafe<Static<S>>({ [Kind]: "Any", allOf: [schema] }),
      parse: async ({ request, server }: Caller): Promise<Static<S>> => {
        this.admit(who, request, server);
        let body: Static<S>;
        try {
          body = await read(request);
        } catch (e) {
          throw e instanceof BodyError ? refusal(e) : e;
        }
        if (who === "client") this.permit(request, body);
        return body;
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
