// The OAuth consent screen (/oauth/consent): the Worker's /authorize sends the browser here with
// its query string. Once signed in, the page asks the API what is being requested, names the
// app, the gateway and the scopes, and sends the person's decision back. Everything the app
// chose about itself (name, URI) is shown as text only.
import "./consent.css";
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type {
  OAuthConsentDecision,
  OAuthConsentView,
  UserView,
} from "../../../../shared/api-types";
import { ApiError, api, errorMessage } from "../../lib/api";
import { useResource } from "../../lib/use-resource";
import { AuthFrame } from "../../ui/auth-frame";
import { Loading, Notice } from "../../ui/states";
import { scopeText } from "./scopes";

const START_AGAIN = "Start connecting again from your app.";

/** The authorize query as the Worker passed it, without the "?". */
function consentQuery(): string {
  return window.location.search.replace(/^\?/, "");
}

/** The Worker could not even start (unknown client, bad redirect…): its message, no buttons. */
export function ConsentErrorPage(props: { message: string }) {
  return (
    <AuthFrame
      title="This connection cannot continue"
      lead="Gatehouse stopped it before asking you."
    >
      <Notice tone="error">
        <span class="consent-text">{props.message}</span>
      </Notice>
      <p class="muted">{START_AGAIN}</p>
    </AuthFrame>
  );
}

export function ConsentPage(props: { user: UserView; onSignOut: () => void }) {
  const query = consentQuery();
  const consent = useResource(
    () =>
      query
        ? api.post<OAuthConsentView>("/oauth/consents", { query })
        : Promise.reject(
            new ApiError(
              400,
              "This page is opened by an app that connects to Gatehouse; it was opened without one.",
            ),
          ),
    [query],
  );
  const account = (
    <p class="consent-account">
      <span>
        Signed in as <strong>{props.user.email}</strong>.
      </span>
      <button type="button" class="button ghost small" onClick={props.onSignOut}>
        Use another account
      </button>
    </p>
  );
  if (consent.state === "loading")
    return (
      <AuthFrame title="Connect an app" lead="Checking what the app asks for…">
        <Loading label="Checking the request…" />
      </AuthFrame>
    );
  if (consent.state === "error")
    return (
      <AuthFrame title="This connection cannot continue" lead="The request could not be checked.">
        <Notice tone="error">
          <span class="consent-text">{consent.message}</span>
        </Notice>
        <p class="muted">{START_AGAIN}</p>
        {account}
      </AuthFrame>
    );
  return <ConsentDecision view={consent.data} account={account} />;
}

type Phase =
  | { kind: "idle" }
  | { kind: "busy"; decision: "allow" | "deny" }
  | { kind: "returning" }
  | { kind: "failed"; message: string };

function ConsentDecision(props: { view: OAuthConsentView; account: ComponentChildren }) {
  const { view } = props;
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const decide = async (decision: "allow" | "deny") => {
    setPhase({ kind: "busy", decision });
    try {
      const { redirectTo } = await api.post<OAuthConsentDecision>(
        `/oauth/consents/${encodeURIComponent(view.handle)}`,
        { decision },
      );
      setPhase({ kind: "returning" });
      window.location.assign(redirectTo);
    } catch (err) {
      setPhase({ kind: "failed", message: errorMessage(err) });
    }
  };
  const busy = phase.kind === "busy" || phase.kind === "returning";
  return (
    <AuthFrame
      title={`${view.client.name} wants to use ${view.gateway.name}`}
      lead="An app asks to use this MCP gateway's tools on your behalf."
    >
      <div class="consent-card-body">
        <div class="consent-facts">
          <p>
            {view.client.domain ? (
              <>
                App from <strong>{view.client.domain}</strong>
              </>
            ) : (
              "This app registered itself; its name is not verified."
            )}
          </p>
          {view.client.uri ? (
            <p class="muted">
              Its address: <code>{view.client.uri}</code>
            </p>
          ) : null}
          <p>
            Access will be sent to <strong>{view.redirectHost}</strong>
          </p>
          {view.redirectIsLoopback ? (
            <Notice tone="warning">
              This sends access to an app on this computer. Continue only if you just started
              connecting from it.
            </Notice>
          ) : null}
        </div>
        <h2 class="visually-hidden">What it may do</h2>
        <ul class="consent-scopes" aria-label="What it may do">
          {view.scopes.map((s) => (
            <li key={s}>
              <span>{scopeText(s)}</span>
              <code>{s}</code>
            </li>
          ))}
        </ul>
        {view.allowed ? null : (
          <Notice tone="error">
            <span class="consent-text">
              {view.reason ?? "You may not use this gateway."} Ask an admin if you need it.
            </span>
          </Notice>
        )}
        {phase.kind === "failed" ? (
          <Notice tone="error">
            <span class="consent-text">
              {phase.message} {START_AGAIN}
            </span>
          </Notice>
        ) : null}
        {phase.kind === "returning" ? (
          <Notice tone="info">Returning you to {view.client.name}…</Notice>
        ) : (
          <div class="consent-actions">
            <button
              type="button"
              class="button secondary"
              disabled={busy}
              onClick={() => void decide("deny")}
            >
              {phase.kind === "busy" && phase.decision === "deny" ? "Denying…" : "Deny"}
            </button>
            {view.allowed ? (
              <button
                type="button"
                class="button primary"
                disabled={busy}
                onClick={() => void decide("allow")}
              >
                {phase.kind === "busy" && phase.decision === "allow" ? "Allowing…" : "Allow"}
              </button>
            ) : null}
          </div>
        )}
        {props.account}
      </div>
    </AuthFrame>
  );
}
