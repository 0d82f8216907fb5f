// Single sign-on: OpenID Connect (provider, role and team mapping), Cloudflare Access, and
// "SSO only". Saved with one PATCH of what changed; the API's refusals appear by field.
import { useEffect, useState } from "preact/hooks";
import type { SsoSettingsView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";
import { useFormState } from "../../ui/form";
import { Badge, Card } from "../../ui/page";
import { Notice } from "../../ui/states";
import { AccessFields } from "./access-fields";
import { MappingFields } from "./mapping-fields";
import { OidcFields, RedirectUri } from "./oidc-fields";
import { draftOf, mappingProblem, patchOf, type SsoDraft } from "./sso-draft";
import { loadRoleOptions, loadTeamOptions } from "./sso-options";

export function SsoCard(props: {
  view: SsoSettingsView;
  editable: boolean;
  onSaved: (view: SsoSettingsView) => void;
}) {
  const { can } = useSession();
  const { view } = props;
  const [draft, setDraft] = useState<SsoDraft>(() => draftOf(view));
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const form = useFormState();
  const roles = useResource(() => loadRoleOptions(can("role:read")), []);
  const teams = useResource(() => loadTeamOptions(can("team:read")), []);
  useEffect(() => setDraft(draftOf(view)), [view]);

  const set = (patch: Partial<SsoDraft>) => {
    setSaved(null);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const onSubmit = (event: Event) => {
    event.preventDefault();
    setSaved(null);
    const local = mappingProblem(draft.roleRows, "role") ?? mappingProblem(draft.teamRows, "team");
    setProblem(local);
    if (local) return;
    const patch = patchOf(draft, view);
    if (Object.keys(patch).length === 0) {
      setSaved("Nothing to save: no setting was changed.");
      return;
    }
    void form.submit(async () => {
      const next = await api.patch<SsoSettingsView>("/sso", patch);
      props.onSaved(next);
      setSaved("Single sign-on settings saved.");
    });
  };

  const status = (
    <div class="row">
      <Badge tone={view.oidcEnabled ? "good" : "neutral"}>
        OIDC {view.oidcEnabled ? "on" : "off"}
      </Badge>
      <Badge tone={view.accessEnabled ? "good" : "neutral"}>
        Access {view.accessEnabled ? "on" : "off"}
      </Badge>
      {view.ssoOnly ? <Badge tone="info">SSO only</Badge> : null}
    </div>
  );

  return (
    <Card title="Single sign-on" actions={status}>
      <RedirectUri uri={view.oidcRedirectUri} />
      <form class="stack settings-form" onSubmit={onSubmit} noValidate>
        <fieldset class="plain stack" disabled={!props.editable || form.busy}>
          <OidcFields
            view={view}
            draft={draft}
            set={set}
            fields={form.fields}
            editable={props.editable}
          />
          <MappingFields
            draft={draft}
            set={set}
            fields={form.fields}
            roles={roles.state === "ready" ? roles.data : []}
            teams={teams.state === "ready" ? teams.data : null}
            disabled={!props.editable || form.busy}
            editable={props.editable}
          />
          <AccessFields draft={draft} set={set} fields={form.fields} />
        </fieldset>
        {problem ? <Notice tone="error">{problem}</Notice> : null}
        {form.error ? <Notice tone="error">{form.error}</Notice> : null}
        {saved ? <Notice tone="success">{saved}</Notice> : null}
        {props.editable ? (
          <div class="row end">
            <button
              type="button"
              class="button secondary"
              disabled={form.busy}
              onClick={() => {
                setDraft(draftOf(view));
                setProblem(null);
                setSaved(null);
                form.reset();
              }}
            >
              Discard changes
            </button>
            <button type="submit" class="button primary" disabled={form.busy}>
              {form.busy ? "Saving…" : "Save single sign-on"}
            </button>
          </div>
        ) : null}
      </form>
    </Card>
  );
}
