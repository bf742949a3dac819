import { expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attribute, attributeByWindow, describeAttribution, functionName, JitMap, NO_JS, parseJitDump } from "./perf-attribution";

/** A JITDump file as the perf jitdump format lays it out: a 40-byte header, then records (here code loads only). */
function jitDump(loads: Array<{ start: number; size: number; name: string }>, extraRecord = false): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(40));
  header.setUint32(0, 0x4a695444, true);
  header.setUint32(4, 1, true);
  header.setUint32(8, 40, true);
  parts.push(new Uint8Array(header.buffer));
  if (extraRecord) {
    // A record of another kind (JIT_CODE_CLOSE), which the reader steps over.
    const close = new DataView(new ArrayBuffer(16));
    close.setUint32(0, 3, true);
    close.setUint32(4, 16, true);
    parts.push(new Uint8Array(close.buffer));
  }
  for (const load of loads) {
    const name = new TextEncoder().encode(`${load.name}\0`);
    const size = 56 + name.length + 4; // four bytes standing for the code itself
    const record = new DataView(new ArrayBuffer(size));
    record.setUint32(0, 0, true);
    record.setUint32(4, size, true);
    record.setBigUint64(24, BigInt(load.start), true); // vma
    record.setBigUint64(32, BigInt(load.start), true);
    record.setBigUint64(40, BigInt(load.size), true);
    new Uint8Array(record.buffer).set(name, 56);
    parts.push(new Uint8Array(record.buffer));
  }
  return Buffer.concat(parts);
}

const loads = [
  { start: 0x7f0000001000, size: 0x100, name: "JSC-FTL: call#Do1nq9" },
  { start: 0x7f0000002000, size: 0x100, name: "JSC-Thunk: CallTrampoline" },
  { start: 0x7f0000003000, size: 0x100, name: "JSC-DFG: <name not materialized>#AbCdEf" },
];

const frame = (address: number, object: string) => `\t    ${address.toString(16)} [unknown] (${object})`;
const BUN = "/usr/lib/node_modules/bun/bin/bun.exe";
const JIT = "/tmp/perf-1234.map";

test("a JITDump's code loads are read with their ranges and names; other records and a torn tail are stepped over", () => {
  const bytes = jitDump(loads, true);
  expect(parseJitDump(bytes)).toEqual(loads.map((l) => ({ start: l.start, end: l.start + l.size, name: l.name })));
  expect(parseJitDump(bytes.subarray(0, bytes.length - 10))).toHaveLength(2);
  expect(() => parseJitDump(new Uint8Array(64))).toThrow("not a JITDump file");
});

test("an address finds the function whose range holds it, the latest load where two share a start, none outside", () => {
  const map = new JitMap([...parseJitDump(jitDump(loads)), { start: 0x7f0000001000, end: 0x7f0000001080, name: "JSC-FTL: later#X" }]);
  expect(map.at(0x7f0000001010)?.name).toBe("JSC-FTL: later#X");
  expect(map.at(0x7f00000030ff)?.name).toBe("JSC-DFG: <name not materialized>#AbCdEf");
  expect(map.at(0x7f0000003100)).toBeUndefined();
  expect(map.at(0x1000)).toBeUndefined();
});

test("JSC's names become the function's own, an anonymous one keeping its hash", () => {
  expect(functionName("JSC-FTL: call#Do1nq9")).toBe("call");
  expect(functionName("JSC-Baseline: #EhF43u")).toBe("(anonymous)#EhF43u");
  expect(functionName("JSC-DFG: <name not materialized>#AbCdEf")).toBe("(anonymous)#AbCdEf");
});

test("each sample goes to the nearest JavaScript function past JSC's stubs, split by where its leaf ran", () => {
  const samples = [
    // Native code called through a trampoline from `call`.
    [frame(0x1add92b, BUN), frame(0x7f0000002010, JIT), frame(0x7f0000001020, JIT), frame(0x1844d41, BUN)],
    // The kernel under `call`.
    [frame(0xffffffff816db490, "[kernel.kallsyms]"), frame(0x19e9f58, BUN), frame(0x7f0000001030, JIT)],
    // `call`'s own code.
    [frame(0x7f0000001040, JIT), frame(0x1844d41, BUN)],
    // libc under an anonymous function.
    [frame(0x2724a, "/usr/lib/x86_64-linux-gnu/libc.so.6"), frame(0x7f0000003010, JIT)],
    // The event loop, no JavaScript at all.
    [frame(0x19d29c6, BUN), frame(0x18690bc, BUN)],
  ].map((lines) => `1234 \n${lines.join("\n")}`);
  const a = attribute(`${samples.join("\n\n")}\n\n`, new JitMap(parseJitDump(jitDump(loads))));
  expect(a.samples).toBe(5);
  expect(a.total).toEqual({ js: 1, native: 2, libc: 1, kernel: 1 });
  expect(a.byFunction).toEqual([
    { name: "call", split: { js: 1, native: 1, libc: 0, kernel: 1 }, samples: 3 },
    { name: "(anonymous)#AbCdEf", split: { js: 0, native: 0, libc: 1, kernel: 0 }, samples: 1 },
    { name: NO_JS, split: { js: 0, native: 1, libc: 0, kernel: 0 }, samples: 1 },
  ]);
  // Shares of the measured CPU a request: 3 of 5 samples of 50 µs.
  const lines = describeAttribution(a, 50, 2);
  expect(lines[0]).toBe("  5 samples; 50.0 µs a request: JS 10.0, native 20.0, libc 10.0, kernel 10.0");
  expect(lines[1]).toContain("30.0 µs  call");
  expect(lines).toHaveLength(3);
});

test("with times, each sample counts for the window it falls in; samples between windows and before the first are left out", () => {
  const sample = (time: string, lines: string[]) => `${time}: \n${lines.join("\n")}`;
  const inCall = [frame(0x7f0000001040, JIT), frame(0x1844d41, BUN)];
  const inAnonymous = [frame(0x2724a, "/usr/lib/x86_64-linux-gnu/libc.so.6"), frame(0x7f0000003010, JIT)];
  const script = [
    sample("99.900000", inCall),
    sample("100.000001", inCall),
    sample("100.400000", inAnonymous),
    sample("100.600000", inCall),
    sample("101.100000", inAnonymous),
    sample("101.300000", inCall),
  ].join("\n\n");
  // Given out of order: the later window first.
  const windows = [
    { key: "responses", start: 101, end: 101.2 },
    { key: "messages", start: 100, end: 100.5 },
  ];
  const by = attributeByWindow(script, new JitMap(parseJitDump(jitDump(loads))), windows);
  expect([...by.keys()].sort()).toEqual(["messages", "responses"]);
  expect(by.get("messages")!.samples).toBe(2);
  expect(by.get("messages")!.byFunction.map((f) => [f.name, f.samples])).toEqual([
    ["call", 1],
    ["(anonymous)#AbCdEf", 1],
  ]);
  expect(by.get("responses")!.total).toEqual({ js: 0, native: 0, libc: 1, kernel: 0 });
  // With each sample's thread named, only the threads asked for count.
  const threaded = script.replace(/^(\d+\.\d+):/gm, (line, time: string) => `${time === "100.400000" ? 77 : 76}  ${line}`);
  const mainOnly = attributeByWindow(threaded, new JitMap(parseJitDump(jitDump(loads))), windows, (tid) => tid === 76);
  expect(mainOnly.get("messages")!.byFunction.map((f) => [f.name, f.samples])).toEqual([["call", 1]]);
  expect(attributeByWindow(threaded, new JitMap(parseJitDump(jitDump(loads))), windows).get("messages")!.samples).toBe(2);
});

test("the JITDump Bun writes is the format read here: a hot function is found by name", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kiro-jitdump-"));
  try {
    // JSC writes each record from a queue of its own thread (JSC's PerfLog), so a process that exits at once can
    // leave the last ones unwritten: the child waits until its file names the hot function, or 20 s pass.
    const script = [
      "function hotLoopForTheDump(x) { let s = 0; for (let i = 0; i < x; i++) s += i ^ x; return s }",
      "let s = 0; for (let i = 0; i < 2000; i++) s += hotLoopForTheDump(1000);",
      `const dir = ${JSON.stringify(dir)};`,
      'const named = () => require("fs").readdirSync(dir).some((f) => require("fs").readFileSync(dir + "/" + f, "latin1").includes("hotLoopForTheDump"));',
      "for (const end = Date.now() + 20000; Date.now() < end && !named(); ) await Bun.sleep(10);",
      "console.log(s > 0)",
    ].join("\n");
    const env = { ...process.env, BUN_JSC_useConcurrentJIT: "0", BUN_JSC_useJITDump: "1", BUN_JSC_jitDumpDirectory: dir };
    const child = Bun.spawn([process.execPath, "-e", script], { env, stdout: "pipe" });
    expect(await new Response(child.stdout).text()).toBe("true\n");
    expect(await child.exited).toBe(0);
    const files = (await readdir(dir)).filter((f) => f.endsWith(".dump"));
    expect(files.length).toBeGreaterThan(0);
    const codes = (await Promise.all(files.map(async (f) => parseJitDump(await Bun.file(join(dir, f)).bytes())))).flat();
    const hot = codes.filter((c) => functionName(c.name) === "hotLoopForTheDump");
    // At whichever tiers it reached before the file was flushed: one run of ~60 had no FTL record of it.
    expect(hot.length).toBeGreaterThan(0);
    expect(hot.every((c) => c.end > c.start && c.start > 0)).toBe(true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
