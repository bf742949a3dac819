#!/usr/bin/env bun
/**
 * The entry point. Two settings are read only when the process starts (setting them in process.env later changes
 * nothing), so the process first replaces itself once with them set (same PID, so systemd and signals see one
 * process) — before loading the command line (cli.ts), so that its modules load only once. A value the environment
 * already gives is kept.
 * - BUN_CONFIG_MAX_HTTP_REQUESTS: Bun's fetch holds at most 256 requests at once, and a gateway holds one per open
 *   stream: the 257th would wait for another to end.
 * - MIMALLOC_PURGE_DELAY=-1: Bun's allocator gives freed pages back to the system at every collection, and each
 *   page touched again is a page fault (~10 µs on a virtual machine). A 1 MB request took ~200 of them, half its
 *   CPU; memory is kept for reuse instead (README, Performance: the twelfth pass).
 */
const STARTUP_ENV = { BUN_CONFIG_MAX_HTTP_REQUESTS: "8192", MIMALLOC_PURGE_DELAY: "-1" };

// An empty value counts as unset: it would leave Bun's default in place.
const missing = Object.entries(STARTUP_ENV).filter(([name]) => !process.env[name]);
if (missing.length > 0) {
  const compiled = import.meta.path.startsWith("/$bunfs/");
  // Bun's own flags (--smol, --cpu-prof) come along when running from source.
  const args = compiled ? process.argv.slice(2) : [...process.execArgv, ...process.argv.slice(1)];
  process.execve!(process.execPath, [process.execPath, ...args], { ...process.env, ...Object.fromEntries(missing) });
}

await import("./cli");
