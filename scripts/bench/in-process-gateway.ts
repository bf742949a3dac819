/**
 * For the in-process benches (instructions.ts, large-request.ts, fronts-profile.ts): the gateway's app, served by
 * `app.handle` with no socket, on one account of a simulator of its own, Kiro's replies replayed from memory after the
 * first (replayed-kiro.ts).
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Elysia } from "elysia";
import { buildApp } from "../../src/app";
import { parseConfig } from "../../src/config/load";
import { Logger } from "../../src/log";
import { createServices } from "../../src/services";
import { KiroSimulator } from "../../src/simulator/simulator";
import { type Replay, replayChatReplies } from "./replayed-kiro";

export interface InProcessGateway {
  app: Pick<Elysia, "handle">;
  /** The client key the app takes. */
  apiKey: string;
  /** The account's credential file, as the simulator wrote it. */
  credential: Record<string, unknown>;
  replay: Replay;
  /** Ends the simulator and removes the credentials. */
  close(): Promise<void>;
}

/** `name` names the temporary directory and the key; `maxConversationBytes` lets the simulator take the 1 MB request. */
export async function inProcessGateway(o: { name: string; maxConversationBytes?: number; recordRequests: boolean }): Promise<InProcessGateway> {
  const sim = await KiroSimulator.start({ seed: 7, ...(o.maxConversationBytes ? { maxConversationBytes: o.maxConversationBytes } : {}) });
  const dir = await mkdtemp(join(tmpdir(), `kiro-${o.name}-`));
  const file = join(dir, "solo.json");
  const credential = sim.addAccount({ name: "solo", authMethod: "social" }).credentialJson();
  await writeFile(file, JSON.stringify(credential));
  await chmod(file, 0o600);
  const apiKey = `sk-${o.name}-0123456789`;
  const urls = { kiroApiBaseUrl: sim.url, kiroEndpoint: "q", kiroAuthBaseUrl: sim.url, oidcBaseUrl: sim.url, ssoPortalBaseUrl: sim.url };
  const { config } = parseConfig({ apiKey, port: 0, ...urls, credentialsDir: dir, recordRequests: o.recordRequests }, `${o.name} config`, dir);
  const replay = replayChatReplies();
  const services = await createServices({ config, log: new Logger("warn", () => {}), credentialsFile: join(dir, "credentials.json"), env: {} });
  return {
    app: buildApp(services),
    apiKey,
    credential,
    replay,
    async close() {
      await services.records.close();
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
