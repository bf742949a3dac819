/**
 * Session affinity (kiro-protocol-2026.md §4.3, §9): Kiro's prompt cache is per account, so the requests of one
 * conversation go to the account that served it last — while that account is healthy; a resting one is left at
 * once, and the account that served instead is kept from then on.
 */

/** Sessions → the account that served them last; the oldest forgotten beyond `max`. */
export class SessionAffinity {
  private readonly accounts = new Map<string, string>();

  constructor(private readonly max = 10_000) {}

  accountOf(key: string): string | undefined {
    return this.accounts.get(key);
  }

  remember(key: string, account: string): void {
    this.accounts.delete(key);
    this.accounts.set(key, account);
    if (this.accounts.size > this.max) this.accounts.delete(this.accounts.keys().next().value!);
  }
}
