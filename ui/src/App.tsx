import { Navigate, Route, Router, type RouteSectionProps } from "@solidjs/router";
import { type JSX, Show } from "solid-js";
import { type AdminClient, UnauthorizedError } from "./api/client";
import { Layout } from "./components/Layout";
import { AccountsPage } from "./pages/Accounts";
import { ApiReferencePage } from "./pages/ApiReference";
import { ConfigPage } from "./pages/Config";
import { DashboardPage } from "./pages/Dashboard";
import { KeysPage } from "./pages/Keys";
import { LoginPage } from "./pages/Login";
import { RequestsPage } from "./pages/Requests";
import { UsagePage } from "./pages/Usage";
import { ROUTES } from "./routes";
import { createAccountActions } from "./state/account-actions";
import { createAccountsMetaStore } from "./state/accounts-meta";
import { AppContext, type AppServices } from "./state/app-context";
import { createCheckResultsStore } from "./state/check-results";
import { createPoolPoller } from "./state/pool";
import { client, signOut } from "./state/session";

/** Wires the services of one signed-in session; they end (polling included) when the key goes away. */
function Services(props: { client: AdminClient; children: JSX.Element }) {
  const handleError = (error: unknown): string => {
    if (error instanceof UnauthorizedError) signOut("expired");
    return error instanceof Error ? error.message : String(error);
  };
  const pool = createPoolPoller(props.client, () => signOut("expired"));
  const accountsMeta = createAccountsMetaStore();
  const checkResults = createCheckResultsStore();
  const actions = createAccountActions({ client: props.client, pool, accountsMeta, checkResults, describe: handleError });
  const services: AppServices = { client: props.client, pool, accountsMeta, checkResults, actions, handleError };
  return <AppContext.Provider value={services}>{props.children}</AppContext.Provider>;
}

function SignedIn(props: RouteSectionProps) {
  return (
    <Show when={client()} keyed fallback={<Navigate href={ROUTES.login} />}>
      {(current) => (
        <Services client={current}>
          <Layout>{props.children}</Layout>
        </Services>
      )}
    </Show>
  );
}

export function App() {
  return (
    <Router>
      <Route path={ROUTES.login} component={LoginPage} />
      <Route path={ROUTES.apiReference} component={ApiReferencePage} />
      <Route path="/" component={SignedIn}>
        <Route path={ROUTES.dashboard} component={DashboardPage} />
        <Route path={ROUTES.accounts} component={AccountsPage} />
        <Route path={ROUTES.usage} component={UsagePage} />
        <Route path={ROUTES.keys} component={KeysPage} />
        <Route path={ROUTES.requests} component={RequestsPage} />
        <Route path={ROUTES.config} component={ConfigPage} />
      </Route>
      <Route path="*" component={() => <Navigate href={ROUTES.dashboard} />} />
    </Router>
  );
}
