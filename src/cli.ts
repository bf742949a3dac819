/** The command line: parse arguments, load config, start, stop gracefully. Nothing else. */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import pkg from "../package.json";
import { checkAccount } from "./admin/accounts";
import { readCommandLine } from "./cli-args";
import { ConfigError, loadConfig } from "./config/load";
import { GatewayError } from "./errors";
import type { Config } from "./config/schema";
import { keyFingerprint, levelFromEnv, Logger } from "./log";
import { QuotaChecks } from "./pool/quota-check";
import { createServices, type Services } from "./services";
import { JitWake } from "./jit";
import { keepsFreedMemory } from "./startup";

const VERSION = pkg.version;

/** `bun run` from a checkout, as opposed to the compiled binary, whose modules live in its own `$bunfs`. */
const FROM_CHECKOUT = !import.meta.path.startsWith("/$bunfs/") && !/^[A-Za-z]:[\\/]~BUN[\\/]/.test(import.meta.path);

const HELP = `kiro-ts ${VERSION} — Anthropic Messages API answered through Kiro accounts

Usage:
  kiro-ts [-c|--config FILE] [--credentials FILE]   serve (defaults: ./config.json, ./credentials.json)
  kiro-ts demo [--port N] [--host ADDR]            serve with a built-in Kiro simulator and three demo accounts
  kiro-ts --version | --help

Environment: LOG_LEVEL (debug, info, warn, error; RUST_LOG is read too).
`;

/** Open streams get this long to finish after SIGTERM. */
const SHUTDOWN_GRACE_MS = 10_000;

function fail(message: string): never {
  process.stderr.write(`kiro-ts: ${message}\n`);
  process.exit(2);
}

/** A start-up failure the user can fix (the port is taken, say): one line, exit code 2. */
class StartError extends Error {
  override name = "StartError";
}

async function main(argv: string[]): Promise<void> {
  const read = readCommandLine(argv);
  if ("kind" in read) fail(`${read.message} (see kiro-ts --help)`);
  const { values, positionals } = read;
  if (values.help) return void process.stdout.write(HELP);
  if (values.version) return void process.stdout.write(`kiro-ts ${VERSION}\n`);
  const command = positionals[0];
  if (positionals.length > 1 || (command !== undefined && command !== "demo")) fail(`unknown command "${positionals.join(" ")}" (see kiro-ts --help)`);

  const log = new Logger(levelFromEnv());
  if (command === "demo") {
    if (values.config || values.credentials) fail("demo takes no config or credentials: it makes its own");
    const port = values.port === undefined ? 8990 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, got "${values.port}"`);
    // Building the UI takes seconds: a taken port is said at once, not after them.
    portMustBeFree(values.host ?? "127.0.0.1", port, "pass --port N");
    if (FROM_CHECKOUT) await serveCheckoutUi(log);
    const [{ startDemo }, { DEMO_PROMPTS }] = await Promise.all([import("./demo"), import("./simulator/demo-prompts")]);
    const demo = await startDemo({ port, log, ...(values.host ? { host: values.host } : {}) });
    let url: string;
    try {
      url = await serve(demo.services, demo.config, log, { portSetting: "pass --port N", onStop: () => demo.stop() });
    } catch (e) {
      await demo.stop();
      throw e;
    }
    // Demo keys are printed on purpose (stdout, not the log, which masks every key it knows).
    process.stdout.write(`
kiro-ts demo is running on a built-in Kiro simulator with ${demo.services.pool.accounts.length} simulated accounts.
  URL        ${url}
  API key    ${demo.config.apiKey}
  Admin key  ${demo.config.adminApiKey}
  Admin UI   ${url}

Try it:
  curl ${url}v1/messages -H "x-api-key: ${demo.config.apiKey}" -H "content-type: application/json" \\
    -d '{"model":"claude-sonnet-4-6","max_tokens":256,"messages":[{"role":"user","content":"Hello, Claude!"}]}'

With Claude Code:
  ANTHROPIC_BASE_URL=${url} ANTHROPIC_API_KEY=${demo.config.apiKey} claude

The simulated model echoes, except for these prompts (each on a line of its own), which show a tool loop:
${DEMO_PROMPTS.map((p) => `  ${p.example.padEnd(46)} ${p.shows}`).join("\n")}

`);
    return;
  }
  if (values.port !== undefined || values.host !== undefined) fail("--port and --host belong to demo; set \"port\" and \"host\" in config.json");

  const configPath = resolve(values.config ?? "config.json");
  const { config, warnings } = await loadConfig(configPath);
  for (const w of warnings) log.warn(w);
  const credentialsFile = resolve(values.credentials ?? "credentials.json");
  // The credential store creates a missing folder; a typo in "credentialsDir" must still be seen.
  const missingDir = config.credentialsDir !== undefined && !(await stat(config.credentialsDir).catch(() => null));
  const services = await createServices({ config, log, credentialsFile });
  await serve(services, config, log, { portSetting: `set "port" in ${configPath}` });
  if (missingDir) log.warn(`credentialsDir ${config.credentialsDir} did not exist: created it, empty (is "credentialsDir" in ${configPath} right?)`);
  if (services.pool.accounts.length === 0) {
    const where = config.credentialsDir ? `credentialsDir ${config.credentialsDir}` : credentialsFile;
    log.warn(`no usable Kiro account in ${where}: requests will fail until one is added (admin API or credential files)`);
  }
}

/**
 * From a checkout the admin UI is not embedded: build ui/dist when needed and serve it from disk. The module
 * that does it is named at run time, so `bun build --compile` leaves it (and Vite) out of the binary.
 */
async function serveCheckoutUi(log: Logger): Promise<void> {
  const module = join(import.meta.dir, "..", "scripts", "ui-assets-checkout.ts");
  try {
    const { serveCheckoutUi } = (await import(module)) as typeof import("../scripts/ui-assets-checkout");
    await serveCheckoutUi((line) => process.stdout.write(`${line}\n`));
  } catch (e) {
    log.warn(`the admin UI could not be built; the API works without it: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** One line saying why the server could not listen, and what to change. */
function listenProblem(error: unknown, host: string, port: number, portSetting: string): string {
  const where = `${host}:${port}`;
  switch ((error as NodeJS.ErrnoException).code) {
    case "EADDRINUSE":
      return `cannot listen on ${where}: port ${port} is in use by another program (another kiro-ts, or kiro-rs?); stop it, or ${portSetting}`;
    case "EACCES":
      return `cannot listen on ${where}: not allowed (ports below 1024 need root); ${portSetting}`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${where}: ${host} is not an address of this machine`;
    default:
      return `cannot listen on ${where}: ${(error as Error).message}`;
  }
}

/** Listens on the port and lets it go again; listening for real checks once more. */
function portMustBeFree(host: string, port: number, portSetting: string): void {
  if (port === 0) return;
  try {
    Bun.serve({ hostname: host, port, reusePort: false, fetch: () => new Response(null, { status: 503 }) }).stop(true);
  } catch (e) {
    throw new StartError(listenProblem(e, host, port, portSetting));
  }
}

interface ServeOptions {
  /** How the user picks another port, for the error when this one is taken. */
  portSetting: string;
  onStop?: () => Promise<void>;
}

/** Listens, logs the start-up lines, installs the signal handlers; returns the URL served. */
async function serve(services: Services, config: Config, log: Logger, { portSetting, onStop }: ServeOptions): Promise<string> {
  // Loaded only now: from a checkout, serveCheckoutUi must hand the UI's table to its module first.
  const { buildApp, MAX_BODY_BYTES } = await import("./app");
  let app;
  try {
    app = buildApp(services).listen({
      hostname: config.host,
      port: config.port,
      reusePort: false,
      maxRequestBodySize: MAX_BODY_BYTES + 1024 * 1024,
    });
  } catch (e) {
    throw new StartError(listenProblem(e, config.host, config.port, portSetting));
  }
  const server = app.server!;
  // The binary starts with the JIT held back (scripts/build.ts): start-up code runs once, and so may a few requests.
  const jit = new JitWake();
  // Only where the start-up re-exec could not run (Windows): main.ts sets it everywhere else.
  if (!process.env.BUN_CONFIG_MAX_HTTP_REQUESTS) {
    log.warn("BUN_CONFIG_MAX_HTTP_REQUESTS is not set and kiro-ts could not restart itself with it: Bun's fetch holds at most 256 Kiro replies at once, and a stream beyond them waits; set BUN_CONFIG_MAX_HTTP_REQUESTS=8192 in the environment");
  }
  if (!config.adminApiKey) log.warn("adminApiKey is not set: the admin API and UI accept the client apiKey; set adminApiKey to separate them");
  const accounts = services.pool.accounts;
  log.info(`kiro-ts ${VERSION} listening on ${server.url}`, {
    accounts: accounts.length,
    healthy: accounts.filter((a) => a.routable()).length,
    apiKey: keyFingerprint(config.apiKey),
    // Chosen at start-up by how slow a page fault is here (startup.ts): why RSS does or does not come down after a burst.
    freedMemory: keepsFreedMemory() ? "kept" : "returned",
  });
  log.info("routes: GET /v1/models, POST /v1/messages, POST /v1/messages/count_tokens, POST /v1/chat/completions, POST /v1/responses, GET /health, GET /ready, GET /metrics, /admin/*, /swagger, UI at /");
  services.models.schedule();
  const quotaChecks = new QuotaChecks(services.pool, (a) => checkAccount(services, a), config.quotaCheckMinutes * 60_000, log);
  if (config.quotaCheckMinutes > 0) quotaChecks.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: no new connections; letting open requests finish`, { graceSecs: SHUTDOWN_GRACE_MS / 1000 });
    quotaChecks.stop();
    jit.stop();
    // A request waiting for an account would wait past the grace: it hears now, and can go to another instance.
    services.pool.stopWaiting(new GatewayError("unavailable", "kiro-ts is shutting down; no Kiro account could serve this request before it stopped"));
    const grace = new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS));
    await Promise.race([server.stop(false), grace]);
    await services.stateFile.save();
    await services.cluster.leave();
    // The last second of request records, queued off the request path, is written before the database closes.
    await services.records.close().catch((e) => log.error("could not write the last request records", { error: (e as Error).message }));
    const unsaved = services.pool.accounts.filter((a) => !a.credentialSaved);
    if (unsaved.length > 0) {
      log.error("stopping with rotated tokens that could not be written to their files: these accounts must sign in again unless the files are fixed and kiro-ts restarted before their tokens expire", {
        accounts: unsaved.map((a) => `${a.name} (${a.source.path})`).join(", "),
      });
    }
    await onStop?.();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGHUP", () => {
    services.reloader.reload().catch((e) => log.error("reload failed", { error: (e as Error).message }));
  });
  return server.url.toString();
}

try {
  await main(Bun.argv.slice(2));
} catch (e) {
  if (e instanceof StartError || e instanceof ConfigError) fail(e.message);
  // Anything else is a bug, but still one line; LOG_LEVEL=debug shows where it came from.
  process.stderr.write(`kiro-ts: could not start: ${(e as Error).message}\n`);
  if (levelFromEnv() === "debug") process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
}
