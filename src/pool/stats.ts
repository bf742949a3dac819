/** Requests per minute over the last hour, for the dashboard's chart: 60 buckets in a ring, O(1) per request. */
const MINUTE = 60_000;
const BUCKETS = 60;

export class RequestRate {
  private readonly counts = new Array<number>(BUCKETS).fill(0);
  private readonly minutes = new Array<number>(BUCKETS).fill(-1);

  record(now = Date.now()): void {
    const minute = Math.floor(now / MINUTE);
    const i = minute % BUCKETS;
    if (this.minutes[i] !== minute) {
      this.minutes[i] = minute;
      this.counts[i] = 0;
    }
    this.counts[i]!++;
  }

  /** The last 60 minutes, oldest first, each `{t: minute start in unix ms, count}`. */
  lastHour(now = Date.now()): Array<{ t: number; count: number }> {
    const current = Math.floor(now / MINUTE);
    const out: Array<{ t: number; count: number }> = [];
    for (let m = current - BUCKETS + 1; m <= current; m++) {
      const i = m % BUCKETS;
      out.push({ t: m * MINUTE, count: this.minutes[i] === m ? this.counts[i]! : 0 });
    }
    return out;
  }
}
