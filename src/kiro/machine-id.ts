/** The machine id in Kiro's user-agent strings (kiro-protocol.md §2.5). */
import type { Credential } from "./credential";

const sha256 = (s: string) => new Bun.CryptoHasher("sha256").update(s).digest("hex");

/** A 64-hex id as is; a UUID without hyphens, twice; anything else is not a machine id. */
export function normaliseMachineId(id: string | undefined): string | undefined {
  const s = id?.trim() ?? "";
  if (/^[0-9a-fA-F]{64}$/.test(s)) return s.toLowerCase();
  if (/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s)) {
    const hex = s.replaceAll("-", "").toLowerCase();
    return hex + hex;
  }
  return undefined;
}

/** Credential's own id, else the configured one, else derived from the refresh token (or API key) as Kiro's tools do. */
export function machineIdFor(c: Credential, configured?: string): string {
  const secret = c.refreshToken || c.kiroApiKey;
  return (
    normaliseMachineId(c.machineId) ??
    normaliseMachineId(configured) ??
    sha256(secret ? `KotlinNativeAPI/${secret}` : `KiroFallback/${crypto.randomUUID()}`)
  );
}
