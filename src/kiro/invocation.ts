/**
 * One logical call to generateAssistantResponse as the AWS SDK numbers it (kiro-protocol-2026.md §1.4): every retry
 * of it reuses one `amz-sdk-invocation-id` and counts `attempt` up; from attempt 2 the SDK header carries a `ttl=`
 * prefix. A new logical call — another account, or past the SDK's three attempts — gets a new id and starts at 1.
 */
const MAX_ATTEMPTS = 3;
/** How far ahead the SDK dates a retry's deadline. */
const TTL_MS = 20_000;

export class Invocation {
  private id = "";
  private attempt = 0;
  private account: string | undefined;

  /** The retry headers of the next call, made as `account`. */
  next(account: string, now = Date.now()): Record<string, string> {
    if (account !== this.account || this.attempt >= MAX_ATTEMPTS) {
      this.id = crypto.randomUUID();
      this.attempt = 0;
      this.account = account;
    }
    this.attempt++;
    const n = this.attempt;
    return {
      "amz-sdk-invocation-id": this.id,
      "amz-sdk-request": n === 1 ? `attempt=1; max=${MAX_ATTEMPTS}` : `ttl=${ttl(now + TTL_MS)}; attempt=${n}; max=${MAX_ATTEMPTS}`,
      "x-kiro-attempt": `${n};max=${MAX_ATTEMPTS}`,
    };
  }
}

/** 20261003T120102Z */
const ttl = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
