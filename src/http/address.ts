/**
 * The client's address, for the failed-auth limiter. The socket's peer, unless that peer is a proxy the operator
 * named in `trustedProxies`: only then are X-Forwarded-For / X-Real-IP believed (anyone can send those headers).
 */

/** node:net, loaded at the first address parsed (only with trustedProxies): loading it cost every start ~2 ms and 1 MB. */
let net: typeof import("node:net") | undefined;
const isIP = (address: string): number => (net ??= require("node:net") as typeof import("node:net")).isIP(address);

/** A parsed address or CIDR block: the address as 16 bytes (IPv4 mapped into IPv6) and the prefix length. */
interface Block {
  bytes: Uint8Array;
  prefix: number;
}

/** Parses "10.0.0.0/8", "::1", "192.168.1.7"; undefined for anything else. */
export function parseBlock(text: string): Block | undefined {
  const [address = "", bits, extra] = text.trim().split("/");
  if (extra !== undefined) return undefined;
  const bytes = addressBytes(address);
  if (!bytes) return undefined;
  const v4 = isIP(address) === 4;
  const max = v4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { bytes, prefix: v4 ? prefix + 96 : prefix };
}

function addressBytes(address: string): Uint8Array | undefined {
  const kind = isIP(address);
  if (kind === 4) return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...address.split(".").map(Number)]);
  if (kind !== 6) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return addressBytes(mapped[1]!);
  const [head = "", tail = ""] = address.split("::");
  const groups = (part: string) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = address.includes("::") ? groups(tail) : [];
  const all = [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function contains(block: Block, bytes: Uint8Array): boolean {
  for (let bit = 0; bit < block.prefix; bit += 8) {
    const take = Math.min(8, block.prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((block.bytes[bit / 8]! & mask) !== (bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

export class TrustedProxies {
  private readonly blocks: Block[];

  /** `list` was validated when the configuration was loaded. */
  constructor(list: readonly string[] = []) {
    this.blocks = list.map((text) => parseBlock(text)).filter((b): b is Block => b !== undefined);
  }

  trusts(address: string): boolean {
    const bytes = addressBytes(address);
    return !!bytes && this.blocks.some((b) => contains(b, bytes));
  }

  /**
   * The client's address: the peer, or — when the peer is trusted — the nearest address in X-Forwarded-For that
   * is not itself a trusted proxy (the one the last trusted proxy saw), else X-Real-IP.
   */
  clientAddress(peer: string, headers: Headers): string {
    if (this.blocks.length === 0 || !this.trusts(peer)) return peer;
    const forwarded = (headers.get("x-forwarded-for") ?? "").split(",").map((a) => a.trim()).filter(Boolean);
    for (let i = forwarded.length - 1; i >= 0; i--) {
      const hop = forwarded[i]!;
      if (!isIP(hop)) break;
      if (!this.trusts(hop)) return hop;
    }
    const real = headers.get("x-real-ip")?.trim();
    return real && isIP(real) ? real : forwarded.find((a) => isIP(a)) ?? peer;
  }
}
