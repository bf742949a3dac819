/**
 * `kiro-ts demo`: the real gateway in front of the built-in Kiro simulator, with three simulated accounts in a
 * temporary credentials folder, so a new user can try the API and the admin UI without a Kiro account.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "./config/load";
import type { Config } from "./config/schema";
import type { Logger } from "./log";
import { createServices, type Services } from "./services";
import { KiroSimulator, LATE_2026_MODEL_IDS } from "./simulator/simulator";

export interface Demo {
  services: Services;
  config: Config;
  simulator: KiroSimulator;
  stop(): Promise<void>;
}

export const DEMO_ACCOUNTS = [
  { name: "alice-google", authMethod: "social" as const, provider: "Google", email: "alice@example.com", usageLimit: 500, currentUsage: 120 },
  { name: "bob-github", authMethod: "social" as const, provider: "Github", email: "bob@example.com", usageLimit: 500, currentUsage: 30 },
  { name: "carol-builder-id", authMethod: "idc" as const, provider: "BuilderId", email: "carol@example.com", usageLimit: 1000, currentUsage: 410 },
];

/** Starts the simulator and the demo's services; on failure nothing is left running and no credential file is left behind. */
export async function startDemo(opts: { port: number; host?: string; log: Logger }): Promise<Demo> {
  // The Kiro of late 2026 (kiro-protocol-2026.md §7), so the demo shows its models and native thinking.
  const simulator = await KiroSimulator.start({ chunking: "random", models: LATE_2026_MODEL_IDS });
  let dir: string | undefined;
  const stop = async () => {
    await simulator.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    dir = await mkdtemp(join(tmpdir(), "kiro-ts-demo-"));
    for (const a of DEMO_ACCOUNTS) {
      const account = simulator.addAccount(a);
      const file = join(dir, `${a.name}.json`);
      await writeFile(file, JSON.stringify({ ...account.credentialJson(), provider: a.provider }, null, 2));
      await chmod(file, 0o600);
    }
    // Two keys drawn apart: whoever holds the client key cannot work out the admin key from it.
    const random = () => crypto.randomUUID().replaceAll("-", "").slice(0, 12);
    const { config } = parseConfig(
      {
        host: opts.host ?? "127.0.0.1",
        port: opts.port,
        apiKey: `sk-demo-${random()}`,
        adminApiKey: `admin-demo-${random()}`,
        credentialsDir: dir,
        kiroApiBaseUrl: simulator.url,
        kiroRuntimeBaseUrl: simulator.url,
        kiroManagementBaseUrl: simulator.url,
        kiroAuthBaseUrl: simulator.url,
        oidcBaseUrl: simulator.url,
        ssoPortalBaseUrl: simulator.url,
      },
      "demo config",
      dir,
    );
    const services = await createServices({ config, log: opts.log, credentialsFile: join(dir, "credentials.json") });
    return { services, config, simulator, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
