/** Parses newline-delimited JSON as it arrives; a line split across chunks is joined before parsing. */
export async function* readNdjson(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let pending = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line !== "") yield JSON.parse(line);
        newline = pending.indexOf("\n");
      }
      if (done) break;
    }
    const last = pending.trim();
    if (last !== "") yield JSON.parse(last);
  } finally {
    reader.releaseLock();
  }
}
