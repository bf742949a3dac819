#!/usr/bin/env bun
/**
 * The entry point. Some settings are read only when the process starts (startup.ts), so the process first replaces
 * itself once with them set (same PID, so systemd and signals see one process; not on Windows, see canReexecute) —
 * before loading the command line (cli.ts), so that its modules load only once.
 */
import { canReexecute, missingStartupSettings, pageFaultMicros } from "./startup";

// Where the process cannot replace itself, nothing is measured: the settings could not be applied anyway.
const missing = canReexecute() ? missingStartupSettings(process.env, pageFaultMicros) : {};
if (Object.keys(missing).length > 0) {
  const compiled = import.meta.path.startsWith("/$bunfs/");
  // Bun's own flags (--smol, --cpu-prof) come along when running from source.
  const args = compiled ? process.argv.slice(2) : [...process.execArgv, ...process.argv.slice(1)];
  process.execve!(process.execPath, [process.execPath, ...args], { ...process.env, ...missing });
}

await import("./cli");
