import { describe, expect, test } from "bun:test";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { ConfigError, loadConfig, parseConfig } from "./load";
import { ConfigSchema } from "./schema";

const parse = (raw: unknown) => parseConfig(raw, "config.json", "/srv/kiro");

describe("config", () => {
  test("defaults are Value.Default's: every default is a plain value on a top-level key", () => {
    for (const [key, { default: own, ...inner }] of Object.entries(ConfigSchema.properties) as [string, { default?: unknown }][]) {
      expect([key, typeof own === "object" && own !== null, JSON.stringify(inner).includes('"default"')]).toEqual([key, false, false]);
    }
    for (const raw of [{ apiKey: "k" }, { region: "eu-west-1", port: 9, apiKey: "k", kiroEndpoint: "q", trustedProxies: ["10.0.0.0/8"], host: "::" }]) {
      const expected = Value.Default(ConfigSchema, structuredClone(raw)) as Record<string, unknown>;
      const config = parse(raw).config as Record<string, unknown>;
      expect(Object.keys(config).slice(0, Object.keys(expected).length)).toEqual(Object.keys(expected));
      for (const key of Object.keys(expected)) if (key !== "database") expect([key, config[key]]).toEqual([key, expected[key]]);
    }
  });

  test("a kiro-rs file gets every default of the kiro-rs table", () => {
    const { config, warnings } = parse({ apiKey: "sk-test" });
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      region: "us-east-1",
      kiroVersion: "0.8.0",
      nodeVersion: "22.21.1",
      countTokensAuthType: "x-api-key",
      failureCooldownSecs: 60,
      maxFailures: 5,
      kiroApiBaseUrl: "https://q.{region}.amazonaws.com",
      kiroAuthBaseUrl: "https://prod.{region}.auth.desktop.kiro.dev",
      oidcBaseUrl: "https://oidc.{region}.amazonaws.com",
      ssoPortalBaseUrl: "https://portal.sso.us-east-1.amazonaws.com",
    });
    expect(["darwin#24.6.0", "win32#10.0.22631"]).toContain(config.systemVersion);
    expect(warnings).toEqual([]);
  });

  test("the seed README's example config loads unchanged", () => {
    const { config, warnings } = parse({
      host: "127.0.0.1",
      port: 8990,
      apiKey: "sk-kiro-rs-qazWSXedcRFV123456",
      region: "us-east-1",
      kiroVersion: "0.8.0",
      machineId: "如果你需要自定义机器码请将64位机器码填到这里",
      systemVersion: "darwin#24.6.0",
      nodeVersion: "22.21.1",
      credentialsDir: "credentials",
      failureCooldownSecs: 60,
      maxFailures: 5,
      countTokensApiUrl: "https://api.example.com/v1/messages/count_tokens",
      countTokensApiKey: "sk-your-count-tokens-api-key",
      countTokensAuthType: "x-api-key",
    });
    expect(config.port).toBe(8990);
    expect(config.credentialsDir).toBe("/srv/kiro/credentials");
    expect(warnings).toEqual([
      'config.json: "machineId" is neither 64 hex characters nor a UUID; a derived one is used instead',
    ]);
  });

  test("no apiKey: refuse, and say what to do", () => {
    expect(() => parse({ port: 1 })).toThrow('config.json: "apiKey" is required');
  });

  test.each([
    [{ apiKey: "k", port: 70000 }, 'config.json: "port" expected integer to be less or equal to 65535 (got 70000)'],
    [{ apiKey: "k", maxFailures: "3" }, 'config.json: "maxFailures" expected integer (got "3")'],
    [{ apiKey: "k", countTokensAuthType: "basic" }, 'config.json: "countTokensAuthType" must be one of "x-api-key", "bearer" (got "basic")'],
    [{ apiKey: "" }, 'config.json: "apiKey" expected string length greater or equal to 1 (got "")'],
    [{ apiKey: "k", kiroApiBaseUrl: "q dot amazon" }, 'config.json: "kiroApiBaseUrl" is not a URL (got "q dot amazon")'],
    [[1, 2], "config.json: expected a JSON object"],
  ])("a bad value is one line naming the key: %j", (raw, message) => {
    expect(() => parse(raw)).toThrow(new ConfigError(message));
  });

  test("unknown keys are warned about; kiro.rs-only keys pass quietly", () => {
    const { config, warnings } = parse({ apiKey: "k", colour: "blue", loadBalancingMode: "priority" });
    expect(warnings).toEqual(['config.json: unknown key "colour" ignored']);
    expect(config).not.toHaveProperty("colour");
  });

  test("files: relative credentialsDir resolves against the config's folder; bad JSON names the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kiro-config-"));
    await writeFile(join(dir, "config.json"), JSON.stringify({ apiKey: "k", credentialsDir: "creds" }));
    expect((await loadConfig(join(dir, "config.json"))).config.credentialsDir).toBe(join(dir, "creds"));
    await writeFile(join(dir, "bad.json"), "{ apiKey: ");
    await expect(loadConfig(join(dir, "bad.json"))).rejects.toThrow(`${join(dir, "bad.json")}: not valid JSON`);
    await expect(loadConfig(join(dir, "missing.json"))).rejects.toThrow("no such file");
  });

  test.each([
    ['{\n  "apiKey": "k",\n  "port": 8990,\n}\n', 'line 3, column 15: a comma before "}" (JSON allows none)'],
    ['{\n  "apiKey": "k"\n  "port": 8990\n}', 'line 3, column 3: expected "," or "}", found "\\""'],
    ['{\n  // the client key\n  "apiKey": "k"\n}', "line 2, column 3: comments are not allowed in JSON"],
    ["{ 'apiKey': 'k' }", "line 1, column 3: strings need double quotes in JSON"],
    ['{ apiKey: "k" }', 'line 1, column 3: expected a key in double quotes, found "a"'],
    ['{\n  "apiKey": "k\n}', "line 2, column 15: a string is not closed before the end of the line"],
    ['{ "apiKey": "k", "port": }', 'line 1, column 26: expected a value, found "}"'],
    ['{ "apiKey": "k" ', "line 1, column 17: expected \",\" or \"}\", found the end of the file"],
    ['{ "apiKey": "k" } }', "line 1, column 19: expected the end of the file after the value, found \"}\""],
  ])("a JSON syntax error names its line and column: %j", async (text, where) => {
    const dir = await mkdtemp(join(tmpdir(), "kiro-config-"));
    const path = join(dir, "config.json");
    await writeFile(path, text);
    await expect(loadConfig(path)).rejects.toThrow(new ConfigError(`${path}: not valid JSON at ${where}`));
  });
});
