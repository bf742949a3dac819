/**
 * A client key's limits over the whole cluster (records/keys.ts keeps each instance's own counters, which still
 * decide alone and while Redis is away). One Lua script per request admits it or names the limit it reached:
 *
 *   {prefix}key:{id}:minute            sorted set: the requests of the last minute (requestsPerMinute)
 *   {prefix}key:{id}:in-flight         hash: requests in flight per instance; an instance without a recent
 *                                      heartbeat ({prefix}instances) no longer counts (concurrency)
 *   {prefix}key:{id}:tokens:{day}      tokens today (UTC), seeded from the records (tokensPerDay)
 *   {prefix}key:{id}:credits:{month}   credits this month (UTC), seeded from the records (creditsPerMonth)
 */
import { GatewayError } from "../errors";
import { type ClientKey, dayStart, monthStart } from "../records/keys";
import type { RequestRecord } from "../records/request-record";
import type { SharedKeyLimits } from "./cluster";
import { type RedisLink, RedisUnreachable } from "./redis-link";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** An instance silent this long holds no slot (it was killed, or lost Redis). */
const INSTANCE_GONE_MS = 5_000;

const ADMIT = `
local now = tonumber(ARGV[1])
local rpm, conc, tokens, credits = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if rpm >= 0 then
  redis.call("zremrangebyscore", KEYS[1], "-inf", now - 60000)
  local n = redis.call("zcard", KEYS[1])
  if n >= rpm then
    local freed = redis.call("zrange", KEYS[1], n - rpm, n - rpm, "WITHSCORES")
    return {"rpm", tostring(tonumber(freed[2]) + 60000)}
  end
end
if conc >= 0 then
  local fields = redis.call("hgetall", KEYS[2])
  local total = 0
  for i = 1, #fields, 2 do
    local seen = redis.call("zscore", KEYS[5], fields[i])
    if fields[i] == ARGV[7] or (seen and tonumber(seen) >= now - tonumber(ARGV[12])) then
      total = total + tonumber(fields[i + 1])
    else
      redis.call("hdel", KEYS[2], fields[i])
    end
  end
  if total >= conc then return {"concurrency", tostring(now + 1000)} end
end
if tokens >= 0 then
  redis.call("set", KEYS[3], ARGV[8], "NX", "PX", ARGV[10])
  if tonumber(redis.call("get", KEYS[3])) >= tokens then return {"tokens", "0"} end
end
if credits >= 0 then
  redis.call("set", KEYS[4], ARGV[9], "NX", "PX", ARGV[11])
  if tonumber(redis.call("get", KEYS[4])) >= credits then return {"credits", "0"} end
end
if rpm >= 0 then
  redis.call("zadd", KEYS[1], now, ARGV[6])
  redis.call("pexpire", KEYS[1], 61000)
end
if conc >= 0 then redis.call("hincrby", KEYS[2], ARGV[7], 1) end
return {"ok", "0"}`;

const FINISH = `
if ARGV[1] == "1" and tonumber(redis.call("hget", KEYS[1], ARGV[2]) or "0") > 0 then redis.call("hincrby", KEYS[1], ARGV[2], -1) end
if redis.call("exists", KEYS[2]) == 1 then redis.call("incrby", KEYS[2], ARGV[3]) end
if redis.call("exists", KEYS[3]) == 1 then redis.call("incrbyfloat", KEYS[3], ARGV[4]) end
return 1`;

export class RedisKeyLimits implements SharedKeyLimits {
  /** Requests admitted here through Redis, and whether they hold an in-flight slot there. */
  private readonly admitted = new WeakMap<RequestRecord, { slot: boolean; day: number; month: number }>();

  constructor(
    private readonly link: RedisLink,
    private readonly prefix: string,
    private readonly instance: string,
  ) {}

  async admit(key: ClientKey, record: RequestRecord, now: number): Promise<void> {
    const limits = key.stored.limits;
    if (
      limits.requestsPerMinute === undefined &&
      limits.concurrency === undefined &&
      limits.tokensPerDay === undefined &&
      limits.creditsPerMonth === undefined
    ) {
      return;
    }
    const day = dayStart(now);
    const month = monthStart(now);
    let answer: [string, string];
    try {
      answer = (await this.link.script(ADMIT, this.keys(key.id, day, month), [
        now,
        limits.requestsPerMinute ?? -1,
        limits.concurrency ?? -1,
        limits.tokensPerDay ?? -1,
        limits.creditsPerMonth ?? -1,
        `${this.instance}:${crypto.randomUUID()}`,
        this.instance,
        key.day.since === day ? key.day.tokens : 0,
        key.month.since === month ? key.month.credits : 0,
        day + DAY_MS + 3_600_000 - now,
        nextMonth(now) + 3_600_000 - now,
        INSTANCE_GONE_MS,
      ])) as [string, string];
    } catch (e) {
      // Redis away: this instance's own counters have decided already.
      if (e instanceof RedisUnreachable) return;
      throw e;
    }
    const [verdict, until] = answer;
    if (verdict === "ok") {
      this.admitted.set(record, { slot: limits.concurrency !== undefined, day, month });
      return;
    }
    const what = {
      rpm: `${limits.requestsPerMinute} requests per minute`,
      concurrency: `${limits.concurrency} requests at once`,
      tokens: `${limits.tokensPerDay} tokens per day (UTC)`,
      credits: `${limits.creditsPerMonth} credits per month (UTC)`,
    }[verdict];
    const untilMs = verdict === "tokens" ? day + DAY_MS : verdict === "credits" ? nextMonth(now) : Number(until);
    throw new GatewayError("rate_limited", `the API key "${key.name}" has reached its limit of ${what} across the cluster`, {
      retryAfterSecs: Math.max(1, Math.ceil((untilMs - now) / 1000)),
    });
  }

  finished(record: RequestRecord): void {
    const held = this.admitted.get(record);
    if (!held) return;
    this.admitted.delete(record);
    const [, inFlight, tokens, credits] = this.keys(record.key.id, held.day, held.month);
    this.link
      .script(FINISH, [inFlight!, tokens!, credits!], [held.slot ? "1" : "0", this.instance, record.tokens, record.credits])
      .catch(() => {});
  }

  private keys(id: string, day: number, month: number): string[] {
    const k = `${this.prefix}key:${id}:`;
    return [`${k}minute`, `${k}in-flight`, `${k}tokens:${day}`, `${k}credits:${month}`, `${this.prefix}instances`];
  }
}

function nextMonth(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
