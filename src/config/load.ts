/**
 * Loading config.json: defaults, validation with one clear line per problem, paths resolved against the
 * config file's folder so the same file works from any working directory.
 */
import { Value } from "@sinclair/typebox/value";
import { dirname, resolve } from "node:path";
import { parseBlock } from "../http/address";
import { isAwsRegion } from "../kiro/credential";
import { resolveDatabase } from "../records/location";
import { findJsonSyntaxError } from "./json-syntax";
import { ConfigSchema, IGNORED_KRS_KEYS, KNOWN_KEYS, type Config } from "./schema";

export class ConfigError extends Error {
  override name = "ConfigError";
}

const SYSTEM_VERSIONS = ["darwin#24.6.0", "win32#10.0.22631"];

export interface LoadedConfig {
  config: Config;
  warnings: string[];
}

/** Validates a parsed config object. `baseDir` anchors relative paths. */
export function parseConfig(raw: unknown, source: string, baseDir: string): LoadedConfig {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(`${source}: expected a JSON object`);
  }
  const warnings = Object.keys(raw)
    .filter((k) => !KNOWN_KEYS.has(k) && !IGNORED_KRS_KEYS.has(k))
    .map((k) => `${source}: unknown key "${k}" ignored`);
  const known = Object.fromEntries(Object.entries(raw).filter(([k]) => KNOWN_KEYS.has(k)));
  const value = withDefaults(known);
  if (value.apiKey === undefined) {
    throw new ConfigError(`${source}: "apiKey" is required: set the key clients must send (x-api-key or Authorization: Bearer)`);
  }
  // Checking is a third of the cost of walking for errors, which a valid file (every start) never needs.
  const first = Value.Check(ConfigSchema, value) ? undefined : Value.Errors(ConfigSchema, value).First();
  if (first) {
    const key = first.path.replace(/^\//, "").replace(/\//g, ".") || "(root)";
    throw new ConfigError(`${source}: "${key}" ${describe(first.schema as { anyOf?: Array<{ const?: unknown }> }, first.message)} (got ${JSON.stringify(first.value)})`);
  }
  const config = value as Config;
  config.systemVersion ??= SYSTEM_VERSIONS[Math.floor(Math.random() * SYSTEM_VERSIONS.length)]!;
  if (config.credentialsDir) config.credentialsDir = resolve(baseDir, config.credentialsDir);
  try {
    config.database = resolveDatabase(config.database, baseDir);
  } catch (e) {
    throw new ConfigError(`${source}: "database" ${(e as Error).message}`);
  }
  for (const key of ["kiroApiBaseUrl", "kiroRuntimeBaseUrl", "kiroManagementBaseUrl", "kiroAuthBaseUrl", "oidcBaseUrl", "ssoPortalBaseUrl", "proxyUrl", "countTokensApiUrl"] as const) {
    const v = config[key];
    if (v !== undefined && !URL.canParse(v.replaceAll("{region}", "region"))) {
      throw new ConfigError(`${source}: "${key}" is not a URL (got ${JSON.stringify(v)})`);
    }
  }
  for (const key of ["region", "authRegion", "apiRegion"] as const) {
    const v = config[key];
    if (v !== undefined && !isAwsRegion(v)) throw new ConfigError(`${source}: "${key}" is not an AWS region such as us-east-1 (got ${JSON.stringify(v)})`);
  }
  const notABlock = config.trustedProxies?.find((p) => !parseBlock(p));
  if (notABlock !== undefined) {
    throw new ConfigError(`${source}: "trustedProxies" holds ${JSON.stringify(notABlock)}, which is neither an IP address nor a CIDR block such as 10.0.0.0/8`);
  }
  if (config.machineId !== undefined && config.machineId.trim() !== "" && !normaliseMachineIdShape(config.machineId)) {
    warnings.push(`${source}: "machineId" is neither 64 hex characters nor a UUID; a derived one is used instead`);
  }
  return { config, warnings };
}

export async function loadConfig(path: string): Promise<LoadedConfig> {
  const file = Bun.file(path);
  if (!(await file.exists())) {
    throw new ConfigError(`${path}: no such file (pass -c FILE, or run "kiro-ts demo" to try kiro-ts without one)`);
  }
  const text = await file.text();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const error = findJsonSyntaxError(text);
    if (error) throw new ConfigError(`${path}: not valid JSON at line ${error.line}, column ${error.column}: ${error.problem}`);
    throw new ConfigError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw, path, dirname(resolve(path)));
}

/**
 * Each missing key takes its schema's default, as Value.Default would: every default in the schema is a plain value
 * at the top level (schema.test.ts holds that), and that walk was ~0.5 ms of every start.
 */
function withDefaults(known: Record<string, unknown>): Record<string, unknown> {
  for (const [key, schema] of Object.entries(ConfigSchema.properties) as [string, { default?: unknown }][]) {
    if (known[key] === undefined && schema.default !== undefined) known[key] = schema.default;
  }
  return known;
}

/** TypeBox's message, except for a union of literals, where "Expected union value" would not help anyone. */
function describe(schema: { anyOf?: Array<{ const?: unknown }> }, message: string): string {
  const choices = schema.anyOf?.map((s) => s.const).filter((c) => c !== undefined);
  if (choices?.length) return `must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`;
  return message.charAt(0).toLowerCase() + message.slice(1);
}

function normaliseMachineIdShape(id: string): boolean {
  const s = id.trim();
  return /^[0-9a-fA-F]{64}$/.test(s) || /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s);
}
