/** Accounts for the pool's unit tests: a file that does not exist, a quiet log, a Kiro that is never called. */
import { Logger } from "../log";
import { Account, type AccountDeps } from "./account";
import { CredentialStore } from "./store";

export const quietLog = new Logger("error", () => {});

const deps: AccountDeps = {
  store: new CredentialStore(),
  log: quietLog,
  failureCooldownSecs: 60,
  maxFailures: 3,
  upstream: { region: "us-east-1", kiroApiBaseUrl: "http://x", kiroAuthBaseUrl: "http://x", oidcBaseUrl: "http://x", ssoPortalBaseUrl: "http://x", kiroVersion: "0", systemVersion: "s", nodeVersion: "n" },
};

export const testAccount = (name: string) => loggedTestAccount(name, quietLog);

/** The same, writing its log lines to `log`. */
export const loggedTestAccount = (name: string, log: Logger) =>
  new Account(name, { path: `/nonexistent/${name}.json` }, { refreshToken: name.repeat(100) }, { ...deps, log });
