/**
 * Usage and the request log over the admin API: usage per key, model or account in hourly or daily buckets
 * (from the hourly rollups), and the log of requests newest first with a cursor for older ones. Both write the
 * queued records first, so what was just answered is counted.
 */
import { type Static, Type as t } from "@sinclair/typebox";
import { Elysia, t as et } from "elysia";
import { GatewayError } from "../errors";
import type { KeyGuard } from "../http/guard";
import type { LoggedRequest, UsageRow, UsageSums } from "../records/types";
import type { Services } from "../services";
import { Envelope, ok, renderAdminError } from "./envelope";

const HOUR_MS = 3_600_000;
const BUCKET_MS = { hour: HOUR_MS, day: 24 * HOUR_MS } as const;
const DEFAULT_RANGE_MS = 7 * 24 * HOUR_MS;
/** Points per series at most: 90 days of hours is 2,160. */
const MAX_BUCKETS = 5000;
const MAX_ITEMS = 500;
/** The name of a group with no value: a request no account served, or one without a model. */
export const NONE = "(none)";

const Sums = {
  requests: t.Integer(),
  errors: t.Integer(),
  inputTokens: t.Integer(),
  outputTokens: t.Integer(),
  cacheReadTokens: t.Integer(),
  cacheWriteTokens: t.Integer(),
  credits: t.Number(),
};
export const UsageReport = t.Object({
  by: t.String(),
  bucket: t.String(),
  from: t.String({ format: "date-time" }),
  to: t.String({ format: "date-time" }),
  series: t.Array(t.Object({ key: t.String(), points: t.Array(t.Object({ start: t.String({ format: "date-time" }), ...Sums })) })),
  totals: t.Array(t.Object({ key: t.String(), ...Sums })),
});
export type UsageReport = Static<typeof UsageReport>;

const Time = et.String({ format: "date-time", description: "ISO 8601" });
const UsageQuery = et.Object({
  by: et.Optional(et.Union([et.Literal("key"), et.Literal("model"), et.Literal("account")], { default: "key" })),
  bucket: et.Optional(et.Union([et.Literal("hour"), et.Literal("day")], { default: "hour" })),
  from: et.Optional(Time),
  to: et.Optional(Time),
});

export const LoggedRequestInfo = t.Object({
  id: t.Integer(),
  at: t.String({ format: "date-time" }),
  key: t.String({ description: "the key's name when the request was made" }),
  keyId: t.String(),
  account: t.Union([t.String(), t.Null()]),
  route: t.String(),
  model: t.Union([t.String(), t.Null()]),
  kiroModel: t.Union([t.String(), t.Null()]),
  stream: t.Boolean(),
  status: t.Integer(),
  errorType: t.Union([t.String(), t.Null()]),
  inputTokens: t.Integer(),
  outputTokens: t.Integer(),
  cacheReadTokens: t.Integer(),
  cacheWriteTokens: t.Integer(),
  credits: t.Number(),
  firstByteMs: t.Union([t.Integer(), t.Null()]),
  durationMs: t.Integer(),
  session: t.Union([t.String(), t.Null()]),
  attempts: t.Array(t.Object({ account: t.String(), outcome: t.String() })),
});
const RequestPage = t.Object({
  items: t.Array(LoggedRequestInfo),
  next: t.Union([t.Integer(), t.Null()], { description: "pass as `before` for the page of older requests" }),
});
const RequestsQuery = et.Object({
  key: et.Optional(et.String({ description: "a key id" })),
  account: et.Optional(et.String()),
  model: et.Optional(et.String()),
  // Elysia reads a query's numbers from their text when the route first runs. Its own t.Numeric compiles a checker
  // when defined (~4 ms of every start) and names no field when out of range: the bounds are checked below.
  status: et.Optional(et.Number({ description: "an HTTP status, 100–999" })),
  limit: et.Optional(et.Number({ description: `requests a page, 1–${MAX_ITEMS} (default 50)` })),
  before: et.Optional(et.Number({ description: "a request id: only requests older than it" })),
});

/** A whole-number query value within its bounds, or a refusal naming it ({success:false}: the envelope's rule). */
function whole(name: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined || (Number.isInteger(value) && value >= min && value <= max)) return value;
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
  throw new GatewayError("invalid_request", `"${name}" must be a whole number ${range}, got ${value}`);
}

const instant = (name: string, s: string | undefined, fallback: number) => {
  if (s === undefined) return fallback;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new GatewayError("invalid_request", `"${name}" is not a date and time: ${s}`);
  return ms;
};

const zero = (): UsageSums => ({ requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, credits: 0 });
function add(into: UsageSums, r: UsageSums): void {
  into.requests += r.requests;
  into.errors += r.errors;
  into.inputTokens += r.inputTokens;
  into.outputTokens += r.outputTokens;
  into.cacheReadTokens += r.cacheReadTokens;
  into.cacheWriteTokens += r.cacheWriteTokens;
  into.credits += r.credits;
}

/** Sparse rows → one series per group with every bucket of the range (zeros where nothing happened), and totals. */
export function usageReport(rows: UsageRow[], label: (group: string) => string, bucketMs: number, from: number, to: number) {
  const first = from - (from % bucketMs);
  const starts: number[] = [];
  for (let b = first; b < to; b += bucketMs) starts.push(b);
  const groups = new Map<string, { points: Map<number, UsageSums>; total: UsageSums }>();
  for (const r of rows) {
    const key = label(r.group);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { points: new Map(), total: zero() }));
    let p = g.points.get(r.start);
    if (!p) g.points.set(r.start, (p = zero()));
    add(p, r);
    add(g.total, r);
  }
  const ordered = [...groups].sort((a, b) => b[1].total.requests - a[1].total.requests || a[0].localeCompare(b[0]));
  return {
    series: ordered.map(([key, g]) => ({ key, points: starts.map((start) => ({ start: new Date(start).toISOString(), ...(g.points.get(start) ?? zero()) })) })),
    totals: ordered.map(([key, g]) => ({ key, ...g.total })),
  };
}

function requestInfo(r: LoggedRequest): Static<typeof LoggedRequestInfo> {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    key: r.keyName,
    keyId: r.keyId,
    account: r.account ?? null,
    route: r.route,
    model: r.model ?? null,
    kiroModel: r.kiroModel ?? null,
    stream: r.stream,
    status: r.status,
    errorType: r.errorType ?? null,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cacheReadTokens: r.cacheReadTokens,
    cacheWriteTokens: r.cacheWriteTokens,
    credits: r.credits,
    firstByteMs: r.firstByteMs ?? null,
    durationMs: r.durationMs,
    session: r.session ?? null,
    attempts: r.attempts,
  };
}

export function usageRoutes(s: Services, guard: KeyGuard) {
  const records = s.records;
  return new Elysia({ name: "admin-usage", prefix: "/admin" })
    .use(guard.plugin)
    .onError(renderAdminError(s.log))
    // Covers every route after it; a guard with a callback would make Elysia build each route twice (~3 ms of a start).
    .guard({ key: "admin" })
    .get(
      "/usage",
      async ({ query }) => {
        const by = query.by ?? "key";
        const bucket = query.bucket ?? "hour";
        const to = instant("to", query.to, Date.now());
        const from = instant("from", query.from, to - DEFAULT_RANGE_MS);
        if (from >= to) throw new GatewayError("invalid_request", `"from" must be before "to"`);
        if ((to - from) / BUCKET_MS[bucket] > MAX_BUCKETS) {
          throw new GatewayError("invalid_request", `that range has more than ${MAX_BUCKETS} ${bucket}s: ask for bucket=day or a shorter range`);
        }
        await records.flush();
        const rows = await records.store.usage({ by, bucket, from, to });
        const stored = by === "key" ? await records.store.keyNames() : new Map<string, string>();
        const label = (group: string) => (by === "key" ? records.keys.get(group)?.name ?? stored.get(group) ?? group : group || NONE);
        const report = usageReport(rows, label, BUCKET_MS[bucket], from, to);
        return ok({ by, bucket, from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...report });
      },
      {
        query: UsageQuery,
        response: Envelope(UsageReport),
        detail: { summary: "Requests, errors, tokens and credits per key, model or account, per hour or day (UTC)" },
      },
    )
    .get(
      "/requests",
      async ({ query }) => {
        const limit = whole("limit", query.limit, 1, MAX_ITEMS) ?? 50;
        const status = whole("status", query.status, 100, 999);
        const before = whole("before", query.before, 1);
        await records.flush();
        const rows = await records.store.requests({
          limit,
          ...(query.key ? { keyId: query.key } : {}),
          ...(query.account ? { account: query.account } : {}),
          ...(query.model ? { model: query.model } : {}),
          ...(status !== undefined ? { status } : {}),
          ...(before !== undefined ? { before } : {}),
        });
        return ok({ items: rows.map(requestInfo), next: rows.length === limit ? rows.at(-1)!.id : null });
      },
      { query: RequestsQuery, response: Envelope(RequestPage), detail: { summary: "The request log, newest first; `next` pages to older ones" } },
    );
}
