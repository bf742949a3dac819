import { afterAll, expect, test } from "bun:test";
import { Logger } from "../log";
import { type SseFormat, sseResponse } from "./sse";

const log = new Logger("error", () => {});
const format: SseFormat<string> = { encode: (e) => `data: ${e}\n\n`, ping: ": ping\n\n", failure: (e) => `data: failed ${e.message}\n\n` };

/** Reply `n`'s batches: `batches` of them, each of `events` events of `size` characters that name the reply and the batch. */
function shape(n: number, batches: number, size: number): string[][] {
  return Array.from({ length: batches }, (_, b) =>
    Array.from({ length: 1 + ((n + b) % 4) }, (_, i) => `reply ${n} batch ${b} event ${i} ${"é".repeat((n + i) % 3)}${String.fromCharCode(97 + ((n + b) % 26)).repeat(size)}`),
  );
}

async function* reply(batches: string[][], n: number): AsyncGenerator<string[]> {
  for (const [b, batch] of batches.entries()) {
    await Bun.sleep((n * 7 + b * 3) % 5);
    yield batch;
  }
}

const wire = (batches: string[][]) => batches.flat().map((e) => `data: ${e}\n\n`).join("");

const server = Bun.serve({
  port: 0,
  fetch(req) {
    const q = new URL(req.url).searchParams;
    const n = Number(q.get("n"));
    return sseResponse(reply(shape(n, Number(q.get("batches")), Number(q.get("size"))), n), format, { log, pingAfterMs: 60_000, onLeave: () => {} });
  },
});
afterAll(() => server.stop(true));

/** Streams read at once, some slowly; every byte read is copied before the next read. */
async function readAll(ns: number[], batches: number, size: number): Promise<void> {
  const texts = await Promise.all(
    ns.map(async (n) => {
      const reader = (await fetch(`${server.url}?n=${n}&batches=${batches}&size=${size}`)).body!.getReader();
      const parts: Uint8Array[] = [];
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        parts.push(r.value.slice());
        if (n % 3 === 0) await Bun.sleep(2);
      }
      return Buffer.concat(parts).toString("utf8");
    }),
  );
  // Each reply writes every batch from one reused buffer: what a client reads must still be its own bytes, in order.
  texts.forEach((t, i) => expect(t === wire(shape(ns[i]!, batches, size))).toBe(true));
}

test("streams at once carry only their own bytes, in order", async () => {
  await readAll(Array.from({ length: 24 }, (_, i) => i), 6, 10);
});

test("batches larger than the socket takes at once, read slowly, arrive whole", async () => {
  await readAll([0, 1, 3, 6], 30, 40_000);
});
