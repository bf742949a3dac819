/**
 * End-to-end rig: the real gateway (services + Elysia app, listening on port 0) in front of the Kiro simulator
 * (its own Bun.serve on port 0), credentials in a temporary folder, and the official Anthropic SDK as the client.
 */
import Anthropic from "@anthropic-ai/sdk";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../app";
import { parseConfig } from "../config/load";
import { Logger, type Level } from "../log";
import { createServices, type Services } from "../services";
import { KiroSimulator, type SimAccountInit } from "../simulator/simulator";

export interface Gateway {
  url: string;
  sim: KiroSimulator;
  services: Services;
  /** The credentials folder (or the folder of the single credentials file). */
  dir: string;
  apiKey: string;
  adminKey: string;
  client: Anthropic;
  /** Every log line written, for tests that look for leaks. */
  logLines: string[];
  credentialFile(name: string): string;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  accounts?: SimAccountInit[];
  /** "file": one credentials.json (the first account only), as kiro-rs single-account mode. */
  layout?: "dir" | "file";
  config?: Record<string, unknown>;
  /** Extra keys written into each credential file (e.g. an expired expiresAt, unknown keys). */
  credentialExtras?: Record<string, unknown>;
  logLevel?: Level;
  /** Put each service's region in its base URL path (/q/{region}, /auth/{region}, /oidc/{region}) to see which region a call used. */
  regionInPath?: boolean;
  simulator?: Parameters<typeof KiroSimulator.start>[0];
  /** The gateway's environment (for KIRO_API_KEY), made once the simulator runs; empty by default, never the test's own. */
  environment?: (sim: KiroSimulator) => Record<string, string>;
}

export async function startGateway(opts: GatewayOptions = {}): Promise<Gateway> {
  const sim = await KiroSimulator.start({ chunking: "random", seed: 7, ...opts.simulator });
  const dir = await mkdtemp(join(tmpdir(), "kiro-e2e-"));
  const accounts = opts.accounts ?? [{ name: "solo", authMethod: "social" }];
  const layout = opts.layout ?? "dir";
  const files: string[] = [];
  for (const init of layout === "file" ? accounts.slice(0, 1) : accounts) {
    const account = sim.addAccount(init);
    const file = join(dir, layout === "file" ? "credentials.json" : `${init.name}.json`);
    await writeFile(file, JSON.stringify({ ...account.credentialJson(), ...opts.credentialExtras }, null, 2));
    await chmod(file, 0o600);
    files.push(file);
  }
  const apiKey = "sk-e2e-client-key-0123456789";
  const adminKey = "admin-e2e-key-9876543210";
  const { config } = parseConfig(
    {
      apiKey,
      adminApiKey: adminKey,
      port: 0,
      kiroApiBaseUrl: opts.regionInPath ? `${sim.url}/q/{region}` : sim.url,
      // The legacy host, which these tests were written for; the 2026 hosts are tested with kiroEndpoint set.
      kiroEndpoint: "q",
      kiroAuthBaseUrl: opts.regionInPath ? `${sim.url}/auth/{region}` : sim.url,
      oidcBaseUrl: opts.regionInPath ? `${sim.url}/oidc/{region}` : sim.url,
      ssoPortalBaseUrl: sim.url,
      failureCooldownSecs: 30,
      ...(layout === "dir" ? { credentialsDir: dir } : {}),
      ...opts.config,
    },
    "e2e config",
    dir,
  );
  const logLines: string[] = [];
  const log = new Logger(opts.logLevel ?? "warn", (line) => logLines.push(line));
  const services = await createServices({ config, log, credentialsFile: join(dir, "credentials.json"), env: opts.environment?.(sim) ?? {} });
  const app = buildApp(services).listen({ hostname: "127.0.0.1", port: 0, reusePort: false });
  const url = app.server!.url.toString().replace(/\/$/, "");
  return {
    url,
    sim,
    services,
    dir,
    apiKey,
    adminKey,
    logLines,
    client: new Anthropic({ baseURL: url, apiKey, maxRetries: 0 }),
    credentialFile: (name) => (layout === "file" ? join(dir, "credentials.json") : join(dir, `${name}.json`)),
    async stop() {
      await app.stop(true);
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON to the gateway with the client key; returns status and parsed body (or text). */
export async function post(g: Gateway, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(g.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": g.apiKey, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as Record<string, any> };
}
