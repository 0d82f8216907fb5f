// Cloudflare Access, and "SSO only" (password sign-in refused to all but admins).
import { Field } from "../../ui/form";
import { CheckField } from "./check-field";
import type { SsoDraft } from "./sso-draft";

export function AccessFields(props: {
  draft: SsoDraft;
  set: (patch: Partial<SsoDraft>) => void;
  fields: Record<string, string>;
}) {
  const { draft, set, fields } = props;
  return (
    <>
      <section class="settings-section" aria-labelledby="sso-access-title">
        <h3 id="sso-access-title">Cloudflare Access</h3>
        <CheckField
          id="sso-access-enabled"
          label="Sign people in with Cloudflare Access"
          hint="When Gatehouse sits behind an Access application, its assertion signs people in without a password."
          checked={draft.accessEnabled}
          onChange={(accessEnabled) => set({ accessEnabled })}
        />
        <div class="form-grid">
          <Field
            label="Team domain"
            name="accessTeamDomain"
            placeholder="acme.cloudflareaccess.com"
            spellcheck={false}
            autoComplete="off"
            value={draft.accessTeamDomain}
            onInput={(e) => set({ accessTeamDomain: e.currentTarget.value })}
            error={fields.accessTeamDomain}
          />
          <Field
            label="Audience (AUD) tag"
            name="accessAudience"
            spellcheck={false}
            autoComplete="off"
            value={draft.accessAudience}
            onInput={(e) => set({ accessAudience: e.currentTarget.value })}
            hint="From the Access application's overview in the Cloudflare dashboard."
            error={fields.accessAudience}
          />
        </div>
      </section>
      <section class="settings-section" aria-labelledby="sso-only-title">
        <h3 id="sso-only-title">Password sign-in</h3>
        <CheckField
          id="sso-only"
          label="SSO only"
          hint="Everyone signs in with OIDC or Cloudflare Access. Admins keep password sign-in, as a way in if the identity provider is down or misconfigured."
          checked={draft.ssoOnly}
          onChange={(ssoOnly) => set({ ssoOnly })}
          error={fields.ssoOnly}
        />
      </section>
    </>
  );
}
