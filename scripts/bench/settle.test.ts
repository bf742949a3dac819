import { expect, test } from "bun:test";
import { describeSettling, settleJit, untilQuiet } from "./settle";

test("a process with no JIT at all settles after two quiet windows, each window run once", async () => {
  const idle = Bun.spawn(["sleep", "30"]);
  try {
    let windows = 0;
    const s = await settleJit([idle.pid], async () => {
      windows++;
      await Bun.sleep(5);
    });
    expect(windows).toBe(2);
    expect(s).toEqual({ windows: 2, settled: true, jitShares: [0, 0] });
  } finally {
    idle.kill();
  }
});

test("the report says how the warm-up ended, settled or not", () => {
  expect(describeSettling("gateway", { windows: 3, settled: true, jitShares: [0.124, 0.02, 0.01] }, "3000 hello")).toBe(
    "gateway: warmed up until the JIT took under 3 % of the CPU in 2 windows in a row: 3 windows of 3000 hello (JIT share per window: 12.4 %, 2 %, 1 %)",
  );
  expect(describeSettling("gateway", { windows: 20, settled: false, jitShares: [0.5, 0.2] }, "3000 hello")).toBe(
    "gateway: the JIT had not settled after 20 warm-up windows of 3000 hello (JIT share per window: 50 %, 20 %); its figures include compilation",
  );
});

test("a sleeping process is quiet after two polls; a spinning one is not, and the wait ends at its limit", async () => {
  const idle = Bun.spawn(["sleep", "30"]);
  const busy = Bun.spawn(["bun", "-e", "for (;;) {}"]);
  try {
    const calm = await untilQuiet(idle.pid);
    expect(calm.quiet).toBe(true);
    expect(calm.ms).toBeLessThan(1000);
    const spinning = await untilQuiet(busy.pid, 400);
    expect(spinning.quiet).toBe(false);
    expect(spinning.ms).toBeGreaterThanOrEqual(400);
  } finally {
    idle.kill();
    busy.kill();
  }
});
