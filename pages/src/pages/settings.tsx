// Organisation settings: the organisation (name, time zone, limit fail mode, price for
// unknown models), single sign-on (OIDC, Cloudflare Access, SSO only) and the OpenTelemetry
// exporter (its own card, editable with telemetry:update). Anyone with
// organisation:read sees them; only organisation:update may change them.
import "./settings/settings.css";
import type { OrganisationView, SsoSettingsView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import { useResource } from "../lib/use-resource";
import { NoAccess } from "../ui/modal";
import { Card, PageHeader } from "../ui/page";
import { ErrorState, Loading, Notice } from "../ui/states";
import { DataCard } from "./settings/data-card";
import { ExporterCard } from "./settings/exporter-card";
import { OrganisationCard } from "./settings/organisation-card";
import { SsoCard } from "./settings/sso-card";

export function SettingsPage() {
  const { can } = useSession();
  if (!can("organisation:read"))
    return <NoAccess title="Organisation settings" permission="organisation:read" />;
  return <Settings />;
}

function Settings() {
  const { can } = useSession();
  const editable = can("organisation:update");
  const organisation = useResource(() => api.get<OrganisationView>("/organisation"));
  const sso = useResource(() => api.get<SsoSettingsView>("/sso"));
  return (
    <>
      <PageHeader
        title="Organisation settings"
        description="Your organisation's name, how limits behave, and how people sign in."
      />
      {editable ? null : (
        <Notice tone="info">
          You can see these settings. Changing them needs the permission{" "}
          <code>organisation:update</code>.
        </Notice>
      )}
      {organisation.state === "ready" ? (
        <OrganisationCard
          organisation={organisation.data}
          editable={editable}
          onSaved={organisation.reload}
        />
      ) : (
        <Card title="Organisation">
          {organisation.state === "loading" ? (
            <Loading label="Loading the organisation…" />
          ) : (
            <ErrorState message={organisation.message} onRetry={organisation.reload} />
          )}
        </Card>
      )}
      <DataCard organisation={organisation} editable={editable} />
      {sso.state === "ready" ? (
        <SsoCard view={sso.data} editable={editable} onSaved={sso.reload} />
      ) : (
        <Card title="Single sign-on">
          {sso.state === "loading" ? (
            <Loading label="Loading single sign-on…" />
          ) : (
            <ErrorState message={sso.message} onRetry={sso.reload} />
          )}
        </Card>
      )}
      <ExporterCard editable={can("telemetry:update")} />
    </>
  );
}
