// The shell: decides between first run, sign-in, the OAuth consent screen and the signed-in
// dashboard, and routes pages.

import { useCallback, useEffect, useState } from "preact/hooks";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import type { SetupStatus, UserView } from "../../shared/api-types";
import { ApiError, api, errorMessage, SIGNED_OUT_EVENT } from "./lib/api";
import { DASHBOARD_LINKS } from "./lib/gateway-paths";
import { type Session, SessionProvider } from "./lib/session";
import { AcceptInvitePage } from "./pages/accept-invite";
import { AuditPage } from "./pages/audit";
import { ConnectPage } from "./pages/connect";
import { CostsPage } from "./pages/costs";
import { LlmProxiesPage } from "./pages/llm-proxies";
import { McpGatewaysPage } from "./pages/mcp-gateways/mcp-gateways-page";
import { McpLogsPage } from "./pages/mcp-logs/mcp-logs-page";
import { McpServersPage } from "./pages/mcp-servers/mcp-servers-page";
import { MembersPage } from "./pages/members";
import { NotFoundPage } from "./pages/not-found";
import { ConsentErrorPage, ConsentPage } from "./pages/oauth-consent/consent-page";
import { ObservabilityPage } from "./pages/observability/observability-page";
import { ProfilePage } from "./pages/profile";
import { ProviderKeysPage } from "./pages/provider-keys";
import { ResetPasswordPage } from "./pages/reset-password";
import { SettingsPage } from "./pages/settings";
import { SetupPage } from "./pages/setup";
import { SignInPage } from "./pages/sign-in";
import { TeamsPage } from "./pages/teams";
import { TelemetryPage } from "./pages/telemetry/telemetry-page";
import { VirtualKeysPage } from "./pages/virtual-keys";
import { Layout } from "./ui/layout";
import { ErrorState, Loading } from "./ui/states";

type Boot =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "setup"; tokenRequired: boolean }
  | { state: "signed-out" }
  | { state: "signed-in"; user: UserView };

async function boot(): Promise<Boot> {
  try {
    const { user } = await api.get<{ user: UserView }>("/me");
    return { state: "signed-in", user };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
  }
  const setup = await api.get<SetupStatus>("/setup");
  return setup.needed
    ? { state: "setup", tokenRequired: setup.tokenRequired }
    : { state: "signed-out" };
}

export function App() {
  return (
    // Links to the gateway's own routes (SSO sign-in, the API) are the browser's to follow.
    <LocationProvider scope={DASHBOARD_LINKS}>
      <Shell />
    </LocationProvider>
  );
}

/** The OAuth consent screen: outside the sidebar frame; sign-in (if needed) leaves the URL as is. */
const CONSENT_PATH = "/oauth/consent";

/** Link pages that work without being signed in: the token is the credential. */
function tokenPage(path: string): { kind: "invite" | "reset"; token: string } | null {
  const match = /^\/(invite|reset-password)\/([A-Za-z0-9_-]+)$/.exec(path);
  if (!match?.[2]) return null;
  return { kind: match[1] === "invite" ? "invite" : "reset", token: match[2] };
}

function Shell() {
  const { path, query } = useLocation();
  const [status, setStatus] = useState<Boot>({ state: "loading" });
  const load = useCallback(() => {
    boot().then(setStatus, (err: unknown) =>
      setStatus({ state: "error", message: errorMessage(err) }),
    );
  }, []);
  useEffect(load, [load]);
  useEffect(() => {
    const onSignedOut = () =>
      setStatus((s) => (s.state === "signed-in" ? { state: "signed-out" } : s));
    window.addEventListener(SIGNED_OUT_EVENT, onSignedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, onSignedOut);
  }, []);

  const link = tokenPage(path);
  if (link) {
    const onDone = (user: UserView) => setStatus({ state: "signed-in", user });
    const Page = link.kind === "invite" ? AcceptInvitePage : ResetPasswordPage;
    return <Page token={link.token} onDone={onDone} />;
  }

  // The Worker could not start the authorization: its message needs nobody signed in.
  if (path === CONSENT_PATH && query.error !== undefined)
    return <ConsentErrorPage message={query.error || "The app's request was refused."} />;

  switch (status.state) {
    case "loading":
      return <Loading label="Opening Gatehouse…" fullPage />;
    case "error":
      return <ErrorState message={status.message} onRetry={load} fullPage />;
    case "setup":
      return (
        <SetupPage
          tokenRequired={status.tokenRequired}
          onDone={(user) => setStatus({ state: "signed-in", user })}
        />
      );
    case "signed-out":
      return <SignInPage onSignedIn={(user) => setStatus({ state: "signed-in", user })} />;
    case "signed-in":
      if (path === CONSENT_PATH)
        return (
          <ConsentPage
            user={status.user}
            onSignOut={() => {
              void api
                .post("/auth/logout")
                .catch(() => undefined)
                .then(() => setStatus({ state: "signed-out" }));
            }}
          />
        );
      return (
        <SignedIn
          user={status.user}
          onSignedOut={() => setStatus({ state: "signed-out" })}
          onRefresh={load}
        />
      );
  }
}

function SignedIn(props: { user: UserView; onSignedOut: () => void; onRefresh: () => void }) {
  const permissions = new Set(props.user.permissions);
  const session: Session = {
    user: props.user,
    can: (p) => permissions.has(p),
    refresh: props.onRefresh,
    signOut: async () => {
      await api.post("/auth/logout").catch(() => undefined);
      props.onSignedOut();
    },
  };
  return (
    <SessionProvider value={session}>
      <Layout>
        <Router>
          <Route path="/" component={Home} />
          <Route path="/connect" component={ConnectPage} />
          <Route path="/virtual-keys" component={VirtualKeysPage} />
          <Route path="/llm-proxies" component={LlmProxiesPage} />
          <Route path="/provider-keys" component={ProviderKeysPage} />
          <Route path="/mcp-servers" component={McpServersPage} />
          <Route path="/mcp-gateways" component={McpGatewaysPage} />
          <Route path="/mcp-logs" component={McpLogsPage} />
          <Route path="/costs" component={CostsPage} />
          <Route path="/telemetry" component={TelemetryPage} />
          <Route path="/observability" component={ObservabilityPage} />
          <Route path="/observability/requests/:id" component={ObservabilityPage} />
          <Route path="/members" component={MembersPage} />
          <Route path="/teams" component={TeamsPage} />
          <Route path="/audit" component={AuditPage} />
          <Route path="/settings" component={SettingsPage} />
          <Route path="/profile" component={ProfilePage} />
          <Route default component={NotFoundPage} />
        </Router>
      </Layout>
    </SessionProvider>
  );
}

function Home() {
  const { route } = useLocation();
  useEffect(() => route("/connect", true), [route]);
  return null;
}
