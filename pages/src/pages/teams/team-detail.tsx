// One team: its members (add and remove) and the LLM proxies restricted to it.

import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { TeamDetail } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";
import { Modal } from "../../ui/modal";
import { Card, PageHeader } from "../../ui/page";
import { ErrorState, Loading } from "../../ui/states";
import { loadProxies } from "./data";
import { DeleteTeamDialog } from "./delete-team";
import { TeamForm } from "./team-form";
import { TeamMembersCard } from "./team-members";
import { TeamProxiesCard } from "./team-proxies";

export function TeamDetailView(props: { id: string }) {
  const { can } = useSession();
  const { route } = useLocation();
  const team = useResource(() => api.get<TeamDetail>(`/teams/${props.id}`), [props.id]);
  const proxies = useResource(() => loadProxies(can("llmProxy:read")), []);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const back = (
    <a class="back-link" href="/teams">
      <span aria-hidden="true">←</span> All teams
    </a>
  );

  if (team.state !== "ready") {
    return (
      <>
        {back}
        <PageHeader title="Team" />
        <Card>
          {team.state === "loading" ? (
            <Loading label="Loading the team…" />
          ) : (
            <ErrorState message={team.message} onRetry={team.reload} />
          )}
        </Card>
      </>
    );
  }

  const t = team.data;
  const proxyList = proxies.state === "ready" ? proxies.data : null;
  return (
    <>
      {back}
      <PageHeader
        title={t.name}
        description={t.description ?? undefined}
        actions={
          <>
            {can("team:update") ? (
              <button type="button" class="button secondary" onClick={() => setEditing(true)}>
                Rename
              </button>
            ) : null}
            {can("team:delete") ? (
              <button
                type="button"
                class="button secondary danger-text"
                onClick={() => setDeleting(true)}
              >
                Delete team
              </button>
            ) : null}
          </>
        }
      />
      <TeamMembersCard team={t} onChanged={team.reload} />
      <TeamProxiesCard
        team={t}
        proxies={proxyList}
        loading={proxies.state === "loading"}
        error={proxies.state === "error" ? proxies.message : null}
        onRetry={proxies.reload}
      />
      <Modal open={editing} title={`Rename ${t.name}`} onClose={() => setEditing(false)}>
        <TeamForm
          team={t}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            team.reload();
          }}
        />
      </Modal>
      <DeleteTeamDialog
        team={deleting ? t : null}
        proxies={proxyList}
        onClose={() => setDeleting(false)}
        onDeleted={() => route("/teams")}
      />
    </>
  );
}
