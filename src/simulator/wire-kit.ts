/**
 * What the simulator's tests need to talk to it as a client would: request bodies, the two encodings of
 * generateAssistantResponse with the header sets of kiro-protocol-2026.md §1.3, and a reference event-stream
 * reader of its own (independent of the simulator's encoder and the gateway's decoder) that checks both CRCs.
 */
import { crc32 } from "node:zlib";
import type { SimAccount } from "./accounts";

export interface WireFrame {
  headers: Record<string, string>;
  payload: any;
  /** Offset of the frame's first byte in the body. */
  start: number;
  end: number;
}

export function readFrames(body: Uint8Array): { frames: WireFrame[]; leftover: number } {
  const frames: WireFrame[] = [];
  let at = 0;
  while (body.length - at >= 12) {
    const view = new DataView(body.buffer, body.byteOffset + at);
    const total = view.getUint32(0);
    const headersLength = view.getUint32(4);
    if (body.length - at < total) break;
    const frame = body.subarray(at, at + total);
    if ((crc32(frame.subarray(0, 8)) >>> 0) !== view.getUint32(8)) throw new Error(`prelude CRC of the frame at ${at}`);
    if ((crc32(frame.subarray(0, total - 4)) >>> 0) !== view.getUint32(total - 4)) throw new Error(`message CRC of the frame at ${at}`);
    const headers: Record<string, string> = {};
    for (let h = 12; h < 12 + headersLength; ) {
      const nameLength = frame[h]!;
      const name = Buffer.from(frame.subarray(h + 1, h + 1 + nameLength)).toString();
      if (frame[h + 1 + nameLength] !== 7) throw new Error(`header ${name} of the frame at ${at} is not a string`);
      const valueLength = (frame[h + 2 + nameLength]! << 8) | frame[h + 3 + nameLength]!;
      headers[name] = Buffer.from(frame.subarray(h + 4 + nameLength, h + 4 + nameLength + valueLength)).toString();
      h += 4 + nameLength + valueLength;
    }
    const text = Buffer.from(frame.subarray(12 + headersLength, total - 4)).toString();
    frames.push({ headers, payload: text ? JSON.parse(text) : null, start: at, end: at + total });
    at += total;
  }
  return { frames, leftover: body.length - at };
}

/** The frames of a whole response body, as `[:event-type or :exception-type, payload]` pairs. */
export async function eventsOf(res: Response): Promise<Array<[string, any]>> {
  const { frames, leftover } = readFrames(new Uint8Array(await res.arrayBuffer()));
  if (leftover !== 0) throw new Error(`${leftover} bytes after the last whole frame`);
  return frames.map((f) => [f.headers[":event-type"] ?? f.headers[":exception-type"] ?? f.headers[":message-type"]!, f.payload]);
}

export function chatBody(content: string, opts: { modelId?: string; extra?: Record<string, unknown>; history?: unknown[]; context?: Record<string, unknown> } = {}) {
  return {
    conversationState: {
      agentContinuationId: crypto.randomUUID(),
      agentTaskType: "vibe",
      chatTriggerType: "MANUAL",
      conversationId: crypto.randomUUID(),
      ...(opts.history ? { history: opts.history } : {}),
      currentMessage: {
        userInputMessage: { content, modelId: opts.modelId ?? "claude-sonnet-4.5", origin: "AI_EDITOR", userInputMessageContext: opts.context ?? {} },
      },
    },
    ...opts.extra,
  };
}

export const tokenOf = (a: SimAccount) => a.issueAccessToken().accessToken;

/** Variant D: the legacy REST form on q.* (prefix "" serves as any host). */
export function restChat(url: string, token: string, body: unknown, prefix = "/q/us-east-1"): Promise<Response> {
  return fetch(`${url}${prefix}/generateAssistantResponse`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

/** The IDE 1.0.437 header set of variant A (§1.3, §1.4), first attempt. */
export function ideHeaders(token: string): Record<string, string> {
  return {
    "content-type": "application/x-amz-json-1.0",
    "x-amz-target": "KiroRuntimeService.GenerateAssistantResponse",
    "x-amzn-kiro-client-attribution": "kiro-ide",
    "x-amz-user-agent": "aws-sdk-js/1.0.0 KiroIDE-1.0.437-abc123-KAS/0.54.0",
    "user-agent": "aws-sdk-js/1.0.0 ua/2.1 os/linux lang/js md/nodejs#22.22.0 api/kiroruntime#1.0.0 m/N KiroIDE-1.0.437-abc123-KAS/0.54.0",
    "x-amzn-codewhisperer-optout": "true",
    "x-kiro-attempt": "1;max=3",
    "amz-sdk-invocation-id": crypto.randomUUID(),
    "amz-sdk-request": "attempt=1; max=3",
    authorization: `Bearer ${token}`,
  };
}

/** Variant A (or B with other headers): `POST /` on the runtime host with an x-amz-target. */
export function awsJsonChat(url: string, headers: Record<string, string>, body: unknown, prefix = "/runtime/us-east-1"): Promise<Response> {
  return fetch(`${url}${prefix}/`, { method: "POST", headers, body: JSON.stringify(body) });
}

/** A control-plane awsJson call (§1.6). */
export function controlPlane(url: string, target: string, token: string, body: unknown, prefix = "/management/us-east-1"): Promise<Response> {
  return fetch(`${url}${prefix}/`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": target, authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}
