#!/usr/bin/env bun
/**
 * The entry point. Bun's fetch holds at most 256 requests at once unless told at start-up, and a gateway holds one
 * per open stream: the 257th would wait for another to end. The setting is read only at start (setting it in
 * process.env later changes nothing), so the process first replaces itself once with it set (same PID, so systemd
 * and signals see one process) — before loading the command line (cli.ts), so that its modules load only once.
 */
if (!process.env.BUN_CONFIG_MAX_HTTP_REQUESTS) {
  const compiled = import.meta.path.startsWith("/$bunfs/");
  // Bun's own flags (--smol, --cpu-prof) come along when running from source.
  const args = compiled ? process.argv.slice(2) : [...process.execArgv, ...process.argv.slice(1)];
  process.execve!(process.execPath, [process.execPath, ...args], { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "8192" });
}

await import("./cli");
