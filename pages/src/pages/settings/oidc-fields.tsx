// The OpenID Connect provider: switch, redirect URI to register, issuer, client and scopes.
import { useEffect } from "preact/hooks";
import type { SsoSettingsView } from "../../../../shared/api-types";
import { CopyButton } from "../../ui/copy-button";
import { Field } from "../../ui/form";
import { Badge } from "../../ui/page";
import { CheckField } from "./check-field";
import type { SsoDraft } from "./sso-draft";

export function OidcFields(props: {
  view: SsoSettingsView;
  draft: SsoDraft;
  set: (patch: Partial<SsoDraft>) => void;
  fields: Record<string, string>;
  editable: boolean;
}) {
  const { draft, set, fields, view } = props;
  const replacing = view.hasClientSecret && draft.newSecret !== null;
  useEffect(() => {
    // Replace was pressed: the new secret's input takes its place, and the focus.
    if (replacing) document.getElementById("field-oidcClientSecret")?.focus();
  }, [replacing]);
  return (
    <section class="settings-section" aria-labelledby="sso-oidc-title">
      <h3 id="sso-oidc-title">OpenID Connect</h3>
      <CheckField
        id="sso-oidc-enabled"
        label="Sign people in with OpenID Connect"
        hint="The sign-in page offers your identity provider (Google, Microsoft Entra ID, Okta…); an account is made at a person's first sign-in."
        checked={draft.oidcEnabled}
        onChange={(oidcEnabled) => set({ oidcEnabled })}
      />
      <div class="form-grid">
        <Field
          label="Issuer URL"
          name="oidcIssuer"
          type="url"
          inputMode="url"
          placeholder="https://accounts.google.com"
          spellcheck={false}
          value={draft.oidcIssuer}
          onInput={(e) => set({ oidcIssuer: e.currentTarget.value })}
          hint="Its discovery document is checked when you save."
          error={fields.oidcIssuer}
        />
        <Field
          label="Client ID"
          name="oidcClientId"
          autoComplete="off"
          spellcheck={false}
          value={draft.oidcClientId}
          onInput={(e) => set({ oidcClientId: e.currentTarget.value })}
          error={fields.oidcClientId}
        />
        {draft.newSecret === null ? (
          <div class="field">
            <span class="field-label">Client secret</span>
            <div class="row">
              <Badge tone="good">A secret is set</Badge>
              {props.editable ? (
                <button
                  id="sso-replace-secret"
                  type="button"
                  class="button secondary small"
                  aria-label="Replace client secret"
                  onClick={() => set({ newSecret: "" })}
                >
                  Replace
                </button>
              ) : null}
            </div>
            <p class="hint">Write-only: the secret is never shown, only replaced.</p>
          </div>
        ) : (
          <Field
            label={view.hasClientSecret ? "New client secret" : "Client secret"}
            name="oidcClientSecret"
            type="password"
            autoComplete="new-password"
            value={draft.newSecret}
            onInput={(e) => set({ newSecret: e.currentTarget.value })}
            hint={
              view.hasClientSecret ? (
                <>
                  Replaces the saved secret when you save.{" "}
                  <button
                    type="button"
                    class="link-button"
                    onClick={() => {
                      set({ newSecret: null });
                      requestAnimationFrame(() =>
                        document.getElementById("sso-replace-secret")?.focus(),
                      );
                    }}
                  >
                    Keep the current secret
                  </button>
                </>
              ) : (
                "Write-only: once saved it is never shown again."
              )
            }
            error={fields.oidcClientSecret}
          />
        )}
        <Field
          label="Scopes"
          name="oidcScopes"
          spellcheck={false}
          value={draft.oidcScopes}
          onInput={(e) => set({ oidcScopes: e.currentTarget.value })}
          hint="Space-separated; must include openid."
          error={fields.oidcScopes}
        />
      </div>
    </section>
  );
}

/** The callback URL to register at the identity provider, with a copy button. */
export function RedirectUri(props: { uri: string }) {
  return (
    <div class="redirect-uri">
      <p id="sso-redirect-label">
        <strong>Redirect URI</strong>
        <span class="hint block">Register this redirect URI with your identity provider.</span>
      </p>
      <div class="token-row">
        <code class="redirect-value" data-testid="oidc-redirect-uri">
          {props.uri}
        </code>
        <CopyButton text={props.uri} label="Copy redirect URI" />
      </div>
    </div>
  );
}
