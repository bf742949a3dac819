#!/usr/bin/env bun
/**
 * The simulator as a process of its own, for benchmarks: `bun run src/simulator/main.ts --port 0 --accounts 3
 * --credentials-dir DIR`. It writes one kiro-rs credential file per account into DIR, answers with the benchmark
 * replies (bench-replies.ts), and prints one JSON line `{"url":…,"accounts":[…]}` on stdout once it listens.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchReply } from "./bench-replies";
import type { Chunking } from "./playback";
import { KiroSimulator } from "./simulator";

function fail(message: string): never {
  process.stderr.write(`simulator: ${message}\n`);
  process.exit(2);
}

function chunkingOf(value: string): Chunking {
  if (value === "whole" || value === "random") return value;
  const bytes = Number(value);
  if (!Number.isInteger(bytes) || bytes < 1) fail(`--chunking must be whole, random or a byte count, got "${value}"`);
  return bytes;
}

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    accounts: { type: "string", default: "3" },
    "credentials-dir": { type: "string" },
    chunking: { type: "string", default: "16384" },
    "max-conversation-bytes": { type: "string", default: String(64 * 1024 * 1024) },
  },
  strict: true,
});

const dir = values["credentials-dir"];
if (!dir) fail("--credentials-dir is required");
const accountCount = Number(values.accounts);
if (!Number.isInteger(accountCount) || accountCount < 1) fail(`--accounts must be a positive integer, got "${values.accounts}"`);

const sim = await KiroSimulator.start({
  port: Number(values.port),
  hostname: values.host,
  chunking: chunkingOf(values.chunking),
  maxConversationBytes: Number(values["max-conversation-bytes"]),
  // A benchmark sends thousands of megabyte bodies; keeping them would measure the simulator's memory, not Kiro's.
  maxRecordedRequests: 0,
  accessTokenTtlSecs: 24 * 3600,
});
sim.setDefaultReply(benchReply);

await mkdir(dir, { recursive: true });
const accounts: Array<{ name: string; file: string }> = [];
for (let i = 1; i <= accountCount; i++) {
  const name = `bench-${i}`;
  // Benchmarks make far more calls than a month of quota.
  const account = sim.addAccount({ name, authMethod: "social", usageLimit: Number.MAX_SAFE_INTEGER });
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(account.credentialJson(), null, 2));
  await chmod(file, 0o600);
  accounts.push({ name, file });
}

process.stdout.write(JSON.stringify({ url: sim.url, accounts }) + "\n");

const stop = async () => {
  await sim.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
