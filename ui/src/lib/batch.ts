export interface BatchOutcome<T> {
  item: T;
  ok: boolean;
  error?: string;
}

export interface BatchOptions<T> {
  /** How many calls are in flight at once. */
  concurrency: number;
  /** Called once per item as it finishes, in finishing order. */
  onSettled?: (done: number, total: number, outcome: BatchOutcome<T>) => void;
}

/** Runs `work` over every item with bounded concurrency; one failure never stops the others. */
export async function runBatch<T>(items: readonly T[], work: (item: T) => Promise<unknown>, options: BatchOptions<T>): Promise<BatchOutcome<T>[]> {
  const outcomes: BatchOutcome<T>[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as T;
      let outcome: BatchOutcome<T>;
      try {
        await work(item);
        outcome = { item, ok: true };
      } catch (error) {
        outcome = { item, ok: false, error: error instanceof Error ? error.message : String(error) };
      }
      outcomes[index] = outcome;
      done += 1;
      options.onSettled?.(done, items.length, outcome);
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency, items.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  return outcomes;
}
