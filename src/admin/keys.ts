/**
 * Client keys over the admin API: make one (its key shown this once), list them without secrets with their usage
 * today and this month, change, disable or delete one. Changes take effect on the next request.
 */
import { type Static, Type as t } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { GatewayError } from "../errors";
import type { KeyGuard } from "../http/guard";
import { type ClientKey, DEFAULT_KEY_ID } from "../records/keys";
import type { Services } from "../services";
import { Envelope, ok, renderAdminError } from "./envelope";

const Count = t.Integer({ minimum: 1 });
export const KeyLimits = t.Object({
  requestsPerMinute: t.Optional(Count),
  concurrency: t.Optional(Count),
  tokensPerDay: t.Optional(Count),
  creditsPerMonth: t.Optional(t.Number({ exclusiveMinimum: 0 })),
});
const Time = t.String({ format: "date-time", description: "ISO 8601" });
const Models = t.Array(t.String({ minLength: 1 }), { description: "model names the key may ask for; a name ending in * is a prefix" });

const NewKey = t.Object({
  name: t.String({ minLength: 1, maxLength: 100 }),
  models: t.Optional(Models),
  expiresAt: t.Optional(Time),
  limits: t.Optional(KeyLimits),
});
const KeyUpdate = t.Object({
  id: t.String({ minLength: 1 }),
  name: t.Optional(t.String({ minLength: 1, maxLength: 100 })),
  models: t.Optional(t.Union([Models, t.Null()], { description: "null: any model" })),
  expiresAt: t.Optional(t.Union([Time, t.Null()], { description: "null: never" })),
  limits: t.Optional(KeyLimits),
  disabled: t.Optional(t.Boolean()),
});
const KeyId = t.Object({ id: t.String({ minLength: 1 }) });

const Tally = t.Object({ requests: t.Integer(), tokens: t.Integer(), credits: t.Number() });
export const KeyInfo = t.Object({
  id: t.String(),
  name: t.String(),
  prefix: t.String({ description: "the key's first characters, to recognise it by" }),
  builtIn: t.Boolean({ description: "config.json's apiKey: changed only there" }),
  createdAt: t.Union([Time, t.Null()]),
  expiresAt: t.Union([Time, t.Null()]),
  lastUsedAt: t.Union([Time, t.Null()]),
  disabled: t.Boolean(),
  models: t.Union([Models, t.Null()]),
  limits: KeyLimits,
  usage: t.Object({ day: Tally, month: Tally }, { description: "UTC day and month" }),
});
export type KeyInfo = Static<typeof KeyInfo>;
const MadeKey = t.Composite([KeyInfo, t.Object({ key: t.String({ description: "the key itself, shown this once" }) })]);

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const instant = (s: string) => {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new GatewayError("invalid_request", `not a date and time: ${s}`);
  return ms;
};

export function keyInfo(k: ClientKey): KeyInfo {
  const s = k.stored;
  const tally = (x: { requests: number; tokens: number; credits: number }) => ({ requests: x.requests, tokens: x.tokens, credits: x.credits });
  return {
    id: s.id,
    name: s.name,
    prefix: s.prefix,
    builtIn: s.id === DEFAULT_KEY_ID,
    createdAt: s.id === DEFAULT_KEY_ID ? null : iso(s.createdAt),
    expiresAt: iso(s.expiresAt),
    lastUsedAt: iso(s.lastUsedAt),
    disabled: s.disabled,
    models: s.models ?? null,
    limits: s.limits,
    usage: { day: tally(k.day), month: tally(k.month) },
  };
}

export function keyRoutes(s: Services, guard: KeyGuard) {
  const keys = s.records.keys;
  return new Elysia({ name: "admin-keys", prefix: "/admin" })
    .use(guard.plugin)
    .onError(renderAdminError(s.log))
    // Covers every route after it; a guard with a callback would make Elysia build each route twice (~3 ms of a start).
    .guard({ key: "admin" })
    .get("/keys", () => ok(keys.all.map(keyInfo)), {
      response: Envelope(t.Array(KeyInfo)),
      detail: { summary: "Client keys, without secrets, with their usage today and this month (UTC)" },
    })
    .post(
      "/keys",
      async ({ body }) => {
        const { key, secret } = await keys.create({
          name: body.name,
          ...(body.models ? { models: body.models } : {}),
          ...(body.expiresAt ? { expiresAt: instant(body.expiresAt) } : {}),
          ...(body.limits ? { limits: body.limits } : {}),
        });
        s.log.info("client key made", { key: body.name });
        return ok({ ...keyInfo(key), key: secret });
      },
      { ...guard.jsonBody(NewKey, "admin"), response: Envelope(MadeKey), detail: { summary: "Make a client key; the key is in this answer only" } },
    )
    .post(
      "/keys/update",
      async ({ body }) => {
        const { id, expiresAt, ...rest } = body;
        const key = await keys.update(id, { ...rest, ...(expiresAt !== undefined ? { expiresAt: expiresAt === null ? null : instant(expiresAt) } : {}) });
        s.log.info("client key changed", { key: key.name });
        return ok(keyInfo(key));
      },
      { ...guard.jsonBody(KeyUpdate, "admin"), response: Envelope(KeyInfo), detail: { summary: "Change a key's name, models, expiry, limits, or disable it" } },
    )
    .post(
      "/keys/delete",
      async ({ body }) => {
        const name = keys.get(body.id)?.name;
        await keys.delete(body.id);
        s.log.info("client key deleted", { key: name });
        return ok(null);
      },
      { ...guard.jsonBody(KeyId, "admin"), response: Envelope(t.Null()), detail: { summary: "Delete a key: refused from the next request on" } },
    );
}
