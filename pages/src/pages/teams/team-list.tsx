// Every team with its size and the proxies restricted to it; create, rename and delete.

import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { ListOf, LlmProxyView, TeamView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { formatDate } from "../../lib/format";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";
import { Modal } from "../../ui/modal";
import { Card, PageHeader } from "../../ui/page";
import { Empty, ErrorState, Loading } from "../../ui/states";
import { ActionsHead } from "../../ui/table-head";
import { loadProxies, plural, teamHref } from "./data";
import { DeleteTeamDialog } from "./delete-team";
import { TeamForm } from "./team-form";

export function TeamList() {
  const { can } = useSession();
  const { route } = useLocation();
  const teams = useResource(() => api.get<ListOf<TeamView>>("/teams"));
  const proxies = useResource(() => loadProxies(can("llmProxy:read")), []);
  const [editing, setEditing] = useState<TeamView | "new" | null>(null);
  const [deleting, setDeleting] = useState<TeamView | null>(null);
  const proxyList = proxies.state === "ready" ? proxies.data : null;
  const canCreate = can("team:create");

  const newTeam = canCreate ? (
    <button type="button" class="button primary" onClick={() => setEditing("new")}>
      New team
    </button>
  ) : null;

  let body = null;
  if (teams.state === "loading") body = <Loading label="Loading teams…" />;
  else if (teams.state === "error")
    body = <ErrorState message={teams.message} onRetry={teams.reload} />;
  else if (teams.data.data.length === 0)
    body = (
      <Empty title="No teams yet" action={newTeam}>
        <p>
          Teams group people. Restrict an LLM proxy (and later an MCP gateway) to teams so only
          their members can use it, and see spend by team on <a href="/costs">Costs &amp; limits</a>
          .
        </p>
      </Empty>
    );
  else
    body = (
      <TeamTable
        teams={teams.data.data}
        proxies={proxyList}
        onEdit={can("team:update") ? setEditing : null}
        onDelete={can("team:delete") ? setDeleting : null}
      />
    );

  return (
    <>
      <PageHeader
        title="Teams"
        description="Groups of people. Restrict LLM proxies to teams, and see spend by team on Costs & limits."
        actions={teams.state === "ready" && teams.data.data.length > 0 ? newTeam : null}
      />
      <Card>{body}</Card>
      <Modal
        open={editing !== null}
        title={editing === "new" ? "New team" : editing ? `Rename ${editing.name}` : ""}
        onClose={() => setEditing(null)}
      >
        {editing ? (
          <TeamForm
            team={editing === "new" ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(team) => {
              const created = editing === "new";
              setEditing(null);
              // A new team is empty: open it, where members are added.
              if (created) route(teamHref(team.id));
              else teams.reload();
            }}
          />
        ) : null}
      </Modal>
      <DeleteTeamDialog
        team={deleting}
        proxies={proxyList}
        onClose={() => setDeleting(null)}
        onDeleted={() => {
          teams.reload();
          proxies.reload();
        }}
      />
    </>
  );
}

function TeamTable(props: {
  teams: TeamView[];
  proxies: LlmProxyView[] | null;
  onEdit: ((team: TeamView) => void) | null;
  onDelete: ((team: TeamView) => void) | null;
}) {
  const restricted = (id: string) => (props.proxies ?? []).filter((p) => p.teamIds?.includes(id));
  return (
    <div class="table-wrap">
      <table class="stack-table">
        <thead>
          <tr>
            <th scope="col">Team</th>
            <th scope="col" class="num">
              Members
            </th>
            {props.proxies ? <th scope="col">LLM proxies</th> : null}
            <th scope="col" class="col-optional">
              Created
            </th>
            <ActionsHead />
          </tr>
        </thead>
        <tbody>
          {props.teams.map((t) => {
            const proxies = restricted(t.id);
            return (
              <tr key={t.id}>
                <td class="name-cell">
                  <a class="team-link" href={teamHref(t.id)}>
                    {t.name}
                  </a>
                  {t.description ? <span class="cell-sub">{t.description}</span> : null}
                </td>
                <td class="num" data-label="Members">
                  {t.memberCount}
                </td>
                {props.proxies ? (
                  <td data-label="LLM proxies">
                    {proxies.length === 0 ? (
                      <span class="muted">None</span>
                    ) : (
                      <span title={proxies.map((p) => p.name).join(", ")}>
                        {proxies.length <= 2
                          ? proxies.map((p) => p.name).join(", ")
                          : plural(proxies.length, "proxy", "proxies")}
                      </span>
                    )}
                  </td>
                ) : null}
                <td class="col-optional">{formatDate(t.createdAt)}</td>
                <td class="actions">
                  {props.onEdit ? (
                    <button
                      type="button"
                      class="button secondary small"
                      aria-label={`Rename team ${t.name}`}
                      onClick={() => props.onEdit?.(t)}
                    >
                      Rename
                    </button>
                  ) : null}
                  {props.onDelete ? (
                    <button
                      type="button"
                      class="button secondary small danger-text"
                      aria-label={`Delete team ${t.name}`}
                      onClick={() => props.onDelete?.(t)}
                    >
                      Delete
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
