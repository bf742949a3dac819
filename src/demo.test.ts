import { expect, test } from "bun:test";
import { startDemo } from "./demo";
import { Logger } from "./log";

test("the demo's admin key cannot be worked out from its client key", async () => {
  const demo = await startDemo({ port: 0, log: new Logger("error", () => {}) });
  try {
    const client = demo.config.apiKey.replace("sk-demo-", "");
    const admin = demo.config.adminApiKey!.replace("admin-demo-", "");
    expect(client).toHaveLength(12);
    expect(admin).toHaveLength(12);
    expect(admin).not.toBe(client);
  } finally {
    await demo.stop();
  }
});
