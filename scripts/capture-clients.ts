#!/usr/bin/env bun
/**
 * Captures what real clients send, for the corpus that `bun run test` replays (src/e2e/replay.test.ts).
 *
 *   bun run scripts/capture-clients.ts                          every release listed below
 *   bun run scripts/capture-clients.ts --claude-code 2.1.340    one more Claude Code release (or "latest")
 *   bun run scripts/capture-clients.ts --codex 0.172.0          one Codex CLI release
 *   bun run scripts/capture-clients.ts --sdk                    the Anthropic and OpenAI SDKs of this repository
 *
 * Clients are installed from npm outside the repository and talk only to the capture server on 127.0.0.1. Each
 * captured request becomes src/e2e/fixtures/clients/<client>/<release>/<case>-<n>.json, with secrets and personal
 * details replaced; a release captured again replaces its folder.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { CaseResult } from "./capture/case";
import { captureClaudeCode } from "./capture/claude-code";
import { captureCodex } from "./capture/codex";
import { latestVersion } from "./capture/install";
import { captureSdks } from "./capture/sdks";
import { CaptureServer } from "./capture/server";

/** The releases the corpus covers when no release is named. */
const CLAUDE_CODE_RELEASES = ["2.1.154", "2.1.200", "2.1.266", "latest"];
const CODEX_RELEASES = ["0.150.0", "latest"];

const CORPUS = join(import.meta.dir, "..", "src", "e2e", "fixtures", "clients");

const { values } = parseArgs({
  options: {
    "claude-code": { type: "string", multiple: true },
    codex: { type: "string", multiple: true },
    sdk: { type: "boolean" },
  },
});
const named = values["claude-code"] !== undefined || values.codex !== undefined || values.sdk === true;
const split = (lists: string[] | undefined) => (lists ?? []).flatMap((l) => l.split(",")).filter((v) => v !== "");
const claudeCode = named ? split(values["claude-code"]) : CLAUDE_CODE_RELEASES;
const codex = named ? split(values.codex) : CODEX_RELEASES;
const sdks = named ? values.sdk === true : true;

const resolve = async (pkg: string, v: string) => (v === "latest" ? latestVersion(pkg) : v);

const server = new CaptureServer().start();
try {
  for (const v of claudeCode) await save(await captureClaudeCode(server, await resolve("@anthropic-ai/claude-code", v)));
  for (const v of codex) await save(await captureCodex(server, await resolve("@openai/codex", v)));
  if (sdks) await save(await captureSdks(server));
} finally {
  await server.stop();
}

async function save(results: CaseResult[]): Promise<void> {
  // Connectivity probes (HEAD /) and the like are not requests a gateway has to answer.
  const kept = results.map((r) => ({ ...r, requests: r.requests.filter((q) => q.api !== "other") }));
  const empty = kept.filter((r) => r.requests.length === 0);
  if (empty.length > 0) {
    // A release whose client failed keeps the files it had.
    for (const r of empty) console.error(`  ${r.client} ${r.release} ${r.name}: no request captured; nothing written`);
    process.exitCode = 1;
    return;
  }
  for (const dir of new Set(kept.map((r) => join(CORPUS, r.client, r.release)))) await rm(dir, { recursive: true, force: true });
  for (const r of kept) {
    const dir = join(CORPUS, r.client, r.release);
    await mkdir(dir, { recursive: true });
    for (const [i, q] of r.requests.entries()) {
      const fixture = { client: r.client, release: r.release, case: r.name, seq: i + 1, ...q };
      await Bun.write(join(dir, `${r.name}-${i + 1}.json`), JSON.stringify(fixture, null, 2) + "\n");
    }
    console.log(`  ${r.client} ${r.release} ${r.name}: ${r.requests.map((q) => `${q.api}→${q.answer?.kind ?? "-"}`).join(", ")}`);
  }
}
