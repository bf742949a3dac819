import { describe, expect, test } from "bun:test";
import { UpstreamError } from "./http";
import { Watchdog } from "./watchdog";

const reasonOf = (w: Watchdog) => (w.signal.reason instanceof UpstreamError ? w.signal.reason.message : w.signal.reason);

describe("Watchdog", () => {
  test("no first event in time: aborted, saying so", async () => {
    const w = new Watchdog(50, 60_000, new AbortController().signal);
    await Bun.sleep(200);
    expect(reasonOf(w)).toBe("generateAssistantResponse: Kiro sent no event within 0.05 s");
  });

  test.each([60_000, 50])("chunks closer together than the idle bound keep a reply going past it; then silence aborts it (first event bound %p ms)", async (firstEventMs) => {
    const w = new Watchdog(firstEventMs, 60_000, new AbortController().signal);
    w.streaming(300);
    for (let i = 0; i < 50; i++) {
      await Bun.sleep(20);
      w.kick();
    }
    expect(w.signal.aborted).toBe(false);
    await Bun.sleep(600);
    expect(reasonOf(w)).toBe("generateAssistantResponse: Kiro sent nothing for 0.3 s");
  });

  test("the attempt's whole bound holds however often data comes", async () => {
    const w = new Watchdog(60_000, 150, new AbortController().signal);
    w.streaming(100);
    for (let i = 0; i < 30 && !w.signal.aborted; i++) {
      await Bun.sleep(20);
      w.kick();
    }
    expect(reasonOf(w)).toBe("generateAssistantResponse: no answer within 0.15 s");
  });

  test("the client's abort aborts the attempt with the client's reason, also when it came first", () => {
    const client = new AbortController();
    const w = new Watchdog(60_000, 60_000, client.signal);
    client.abort("gone");
    expect(w.signal.reason).toBe("gone");
    w.stop();
    const late = new Watchdog(60_000, 60_000, client.signal);
    expect(late.signal.reason).toBe("gone");
    late.stop();
  });

  test("once stopped, its timer no longer fires", async () => {
    const w = new Watchdog(30, 60_000, new AbortController().signal);
    w.stop();
    await Bun.sleep(100);
    expect(w.signal.aborted).toBe(false);
  });
});
