/** What every bench script needs to start its processes on loopback. */

/** A port nothing listens on now, for a child process to take. */
export function freePort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

/**
 * The first line a child prints once it listens (the simulator's and the proxy's `{"url":…}`); the rest of its
 * output is drained, so the child never blocks on a full pipe.
 */
export async function readyLine(stream: ReadableStream<Uint8Array>, who: string): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${who} exited before it was ready`);
    text += decoder.decode(value, { stream: true });
  }
  void (async () => {
    while (!(await reader.read()).done);
  })();
  return text.slice(0, text.indexOf("\n"));
}
