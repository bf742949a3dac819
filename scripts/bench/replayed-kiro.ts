/**
 * For the in-process benches (in-process-gateway.ts): the chat's first call goes to the simulator over
 * a connection, and every later one is answered from memory with that reply's bytes, with no socket. The request's
 * bytes are still made, as the connection would make them to write them; `sent` counts them.
 */
import { joinedBytes } from "../../src/http/body";
import { type Answer, Connections, textOf } from "../../src/kiro/connections";

export interface Replay {
  /** Bytes of the requests answered from memory, head and body. */
  sent: number;
}

export function replayChatReplies(): Replay {
  const replay: Replay = { sent: 0 };
  const real = Connections.prototype.post;
  let reply: Uint8Array | undefined;
  Connections.prototype.post = async function (this: Connections, url, headers, length, message, signal): Promise<Answer> {
    if (reply === undefined) {
      const first = await real.call(this, url, headers, length, message, signal);
      // Replayed to every later request, a refusal would be measured as if it were the reply.
      if (first.status !== 200) {
        console.error(`the simulator answered ${first.status}: ${await textOf(first.body, 300)}`);
        process.exit(1);
      }
      const chunks: Uint8Array[] = [];
      let bytes = 0;
      for (;;) {
        const { done, value } = await first.body.read();
        if (done) break;
        chunks.push(value);
        bytes += value.length;
      }
      // A plain array, as the connection hands its reader.
      reply = joinedBytes(chunks, bytes);
    } else {
      replay.sent += message(`POST / HTTP/1.1\r\ncontent-length: ${length}\r\n\r\n`).length;
    }
    return fromMemory(reply);
  };
  return replay;
}

function fromMemory(bytes: Uint8Array): Answer {
  let read = false;
  return {
    status: 200,
    header: (name) => (name === "content-type" ? "application/vnd.amazon.eventstream" : null),
    body: {
      read: () => {
        if (read) return Promise.resolve({ done: true, value: undefined });
        read = true;
        return Promise.resolve({ done: false, value: bytes });
      },
      cancel: () => Promise.resolve(),
    },
  };
}
