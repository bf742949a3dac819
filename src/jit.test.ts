import { expect, test } from "bun:test";
import { JitWake, WAKE_AFTER_CPU_MS } from "./jit";

test("the JIT stays held while the process idles or answers a few requests, and wakes once when the work passes the threshold", () => {
  let cpu = 5_000_000; // what the start spent is not counted
  let wakes = 0;
  const jit = new JitWake({ cpuMicros: () => cpu, wake: () => wakes++, checkEveryMs: 60_000 });
  try {
    expect(jit.check()).toBe(false);
    cpu += 30_000; // a first request, interpreted
    expect(jit.check()).toBe(false);
    cpu += (WAKE_AFTER_CPU_MS - 30) * 1000 - 1;
    expect(jit.check()).toBe(false);
    expect(wakes).toBe(0);
    cpu += 1;
    expect(jit.check()).toBe(true);
    expect(wakes).toBe(1);
    expect(jit.woken).toBe(true);
    cpu += 10_000_000;
    expect(jit.check()).toBe(true);
    expect(wakes).toBe(1);
  } finally {
    jit.stop();
  }
});

test("the check runs by itself on its interval, and the timer does not keep the process alive", async () => {
  let cpu = 0;
  let wakes = 0;
  const jit = new JitWake({ cpuMicros: () => cpu, wake: () => wakes++, wakeAfterCpuMs: 1, checkEveryMs: 5 });
  try {
    await Bun.sleep(30);
    expect(wakes).toBe(0);
    cpu = 1000;
    for (let i = 0; i < 100 && wakes === 0; i++) await Bun.sleep(5);
    expect(wakes).toBe(1);
  } finally {
    jit.stop();
  }
  const child = Bun.spawn(["bun", "-e", `import { JitWake } from ${JSON.stringify(import.meta.dir + "/jit.ts")}; new JitWake({ wake: () => {} }); console.log("ended")`], { stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => child.kill(), 4_000);
  const code = await child.exited;
  clearTimeout(killer);
  expect({ code, out: (await new Response(child.stdout).text()).trim() }).toEqual({ code: 0, out: "ended" });
});

test("a function kept from the FTL is optimised no further than the DFG, where a twin of it reaches the FTL", async () => {
  const script = `
    import { keepFromFtl } from ${JSON.stringify(`${import.meta.dir}/jit.ts`)};
    function keptLoop(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }
    function freeLoop(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }
    keepFromFtl(keptLoop);
    for (let k = 0; k < 4000; k++) { keptLoop(10000); freeLoop(10000); }
  `;
  const child = Bun.spawn([process.execPath, "-e", script], { env: { ...process.env, BUN_JSC_reportCompileTimes: "1" }, stderr: "pipe", stdout: "ignore" });
  const compiled = await new Response(child.stderr).text();
  expect(await child.exited).toBe(0);
  const tiers = (name: string) => [...compiled.matchAll(new RegExp(`Optimized ${name}#.* using (\\w+) `, "g"))].map((m) => m[1]);
  expect(tiers("freeLoop")).toContain("FTL");
  expect(tiers("keptLoop")).toContain("DFG");
  expect(tiers("keptLoop")).not.toContain("FTL");
});

test("a function kept apart is never inlined into its caller, where a twin of it is", async () => {
  const script = `
    import { keepApart } from ${JSON.stringify(`${import.meta.dir}/jit.ts`)};
    function apart(x) { return x % 7; }
    function twin(x) { return x % 7; }
    keepApart(apart);
    function caller(n) { let s = 0; for (let i = 0; i < n; i++) s += apart(i) + twin(i); return s; }
    for (let k = 0; k < 2000; k++) caller(10000);
  `;
  const child = Bun.spawn([process.execPath, "-e", script], { env: { ...process.env, BUN_JSC_printEachDFGFTLInlineCall: "1" }, stderr: "pipe", stdout: "pipe" });
  const inlined = (await new Response(child.stdout).text()) + (await new Response(child.stderr).text());
  expect(await child.exited).toBe(0);
  expect(inlined).toMatch(/Callee: twin#\S+ -> Caller: caller#/);
  expect(inlined).not.toMatch(/Callee: apart#/);
});
