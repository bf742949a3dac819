/** How long and how much a bench load runs: until `count` requests are answered, or `seconds` have passed. */
export interface Stop {
  count?: number;
  seconds?: number;
}

/** `workers` closed-loop clients, each sending its next request once its last was answered, until `stop`. */
export async function closedLoop(workers: number, stop: Stop, send: () => Promise<unknown>): Promise<{ requests: number; seconds: number }> {
  const t0 = performance.now();
  const until = stop.seconds === undefined ? Number.POSITIVE_INFINITY : t0 + stop.seconds * 1000;
  const most = stop.count ?? Number.POSITIVE_INFINITY;
  let started = 0;
  let requests = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (started < most && performance.now() < until) {
        started++;
        await send();
        requests++;
      }
    }),
  );
  return { requests, seconds: (performance.now() - t0) / 1000 };
}
