/**
 * The Prometheus text exposition format (version 0.0.4), for the few metric types kiro-ts needs: counters and
 * histograms with labels, and gauges read at scrape time. Label values are escaped as the format says.
 */

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function labelText(names: readonly string[], values: readonly string[], extra = ""): string {
  const parts = names.map((n, i) => `${n}="${escape(values[i] ?? "")}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const number = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN");

export interface Metric {
  render(): string;
}

/**
 * A counter per combination of label values. Past `maxSeries` combinations, new ones are counted under the last
 * label's value "other", so a client sending random model names cannot grow the scrape without bound.
 */
export class Counter implements Metric {
  private readonly values = new Map<string, { labels: string[]; value: number }>();
  /**
   * With several labels, the values of the last inc() (a copy) and their series: consecutive requests mostly count
   * under the same ones, and their id is a join of them.
   */
  private lastLabels: readonly string[] = [];
  private lastSeries: { labels: string[]; value: number } | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labels: readonly string[] = [],
    private readonly maxSeries = 1000,
  ) {}

  inc(labelValues: string[] = [], by = 1): void {
    const several = labelValues.length > 1;
    if (several && this.lastSeries && sameValues(labelValues, this.lastLabels)) {
      this.lastSeries.value += by;
      return;
    }
    const asked = labelValues;
    // One label is its own id.
    let id = labelValues.length === 1 ? labelValues[0]! : labelValues.join("\u0000");
    let series = this.values.get(id);
    if (!series) {
      if (this.values.size >= this.maxSeries && labelValues.length) {
        labelValues = [...labelValues.slice(0, -1), "other"];
        id = labelValues.join("\u0000");
        series = this.values.get(id);
      }
      if (!series) this.values.set(id, (series = { labels: labelValues, value: 0 }));
    }
    series.value += by;
    if (several) {
      // Series are never removed, so the same values find the same series (an overflow's "other" included) later too.
      this.lastLabels = asked.slice();
      this.lastSeries = series;
    }
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    if (this.values.size === 0 && this.labels.length === 0) out += `${this.name} 0\n`;
    for (const s of this.values.values()) out += `${this.name}${labelText(this.labels, s.labels)} ${number(s.value)}\n`;
    return out;
  }
}

/** A histogram without labels: cumulative buckets, sum and count. */
export class Histogram implements Metric {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    this.buckets.forEach((b, i) => (out += `${this.name}_bucket{le="${b}"} ${this.counts[i]}\n`));
    out += `${this.name}_bucket{le="+Inf"} ${this.count}\n${this.name}_sum ${number(this.sum)}\n${this.name}_count ${this.count}\n`;
    return out;
  }
}

/** A gauge whose series are read when scraped. */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labels: readonly string[],
    private readonly read: () => Array<[labelValues: string[], value: number]>,
  ) {}

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge\n`;
    for (const [values, v] of this.read()) out += `${this.name}${labelText(this.labels, values)} ${number(v)}\n`;
    return out;
  }
}
