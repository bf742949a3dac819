import { describe, expect, test } from "bun:test";
import { parseArgs } from "node:util";
import { readCommandLine } from "./cli-args";

/** What cli.ts made of parseArgs's answer or error before it read the words itself. */
function withParseArgs(args: string[]): unknown {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: "string", short: "c" },
        credentials: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        version: { type: "boolean", short: "V" },
        help: { type: "boolean", short: "h" },
      },
    });
    return { values: { ...values }, positionals };
  } catch (e) {
    const message = (e as Error).message;
    const option = /option '([^']+)'/i.exec(message)?.[1];
    return { error: option ? `unknown option ${option}` : message.split(".")[0] };
  }
}

function withReadCommandLine(args: string[]): unknown {
  const read = readCommandLine(args);
  return "kind" in read ? { error: read.message } : { values: { ...read.values }, positionals: read.positionals };
}

const WORDS = ["-c", "--config", "--config=a.json", "-ca.json", "-c=x", "--credentials", "--credentials=", "--port", "--port=1", "--host", "-h", "--help", "--help=1", "-V", "--version", "-hV", "-Vh", "-Vc", "-Vcx", "-hx", "-x", "--bogus", "--bogus=1", "--", "-", "demo", "x.json", "-5", "--=a", "--=a=b", "---", "--constructor", "-hc", "-cV", "-Vc=x", "-c-x", "--host=-x", "-xh", "-hVcx", "", "-H", "--__proto__", "--toString"];

describe("readCommandLine reads the words as parseArgs did", () => {
  test("every one and two words, and many longer lines", () => {
    const lines: string[][] = [[]];
    for (const a of WORDS) {
      lines.push([a]);
      for (const b of WORDS) lines.push([a, b]);
    }
    let seed = 17;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 5000; i++) lines.push(Array.from({ length: 3 + (next() % 4) }, () => WORDS[next() % WORDS.length]!));
    for (const line of lines) expect([line, withReadCommandLine(line)]).toEqual([line, withParseArgs(line)]);
  });
});
