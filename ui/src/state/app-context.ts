import { createContext, useContext } from "solid-js";
import type { AdminClient } from "../api/client";
import type { AccountActions } from "./account-actions";
import type { AccountsMetaStore } from "./accounts-meta";
import type { CheckResultsStore } from "./check-results";
import type { PoolPoller } from "./pool";

/** What every signed-in page shares: the API client, the polled pool, and the browser-local stores. */
export interface AppServices {
  client: AdminClient;
  pool: PoolPoller;
  accountsMeta: AccountsMetaStore;
  checkResults: CheckResultsStore;
  actions: AccountActions;
  /** Turns a refused key into a trip back to the login page. */
  handleError: (error: unknown) => string;
}

export const AppContext = createContext<AppServices>();

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error("useApp() outside the signed-in layout");
  return services;
}
