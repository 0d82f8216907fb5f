// A team's members: who is in it, adding someone from the organisation, removing someone.
import { useState } from "preact/hooks";
import type { TeamDetail, TeamMemberView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { formatDate } from "../../lib/format";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";
import { ConfirmDialog } from "../../ui/confirm";
import { useFormState } from "../../ui/form";
import { roleLabel } from "../../ui/layout";
import { Badge, Card } from "../../ui/page";
import { Empty, Notice } from "../../ui/states";
import { ActionsHead } from "../../ui/table-head";
import { loadPeople, plural } from "./data";

export function TeamMembersCard(props: { team: TeamDetail; onChanged: () => void }) {
  const { can } = useSession();
  const mayUpdate = can("team:update");
  const [removing, setRemoving] = useState<TeamMemberView | null>(null);
  const members = props.team.members;
  return (
    <Card title={`Members (${members.length})`}>
      {mayUpdate ? <AddMember team={props.team} onAdded={props.onChanged} /> : null}
      {members.length === 0 ? (
        <Empty title="Nobody in this team yet">
          {mayUpdate
            ? "Add people above. Members may use the LLM proxies restricted to this team."
            : "Members may use the LLM proxies restricted to this team."}
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="stack-table">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Role</th>
                <th scope="col" class="col-optional">
                  Added
                </th>
                <ActionsHead />
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.userId}>
                  <td class="name-cell">
                    <strong>{m.name}</strong>
                    <span class="cell-sub">{m.email}</span>
                  </td>
                  <td data-label="Role">
                    {roleLabel(m.role)}{" "}
                    {m.status === "active" ? null : <Badge tone="bad">Deactivated</Badge>}
                  </td>
                  <td class="col-optional">{formatDate(m.addedAt)}</td>
                  <td class="actions">
                    {mayUpdate ? (
                      <button
                        type="button"
                        class="button secondary small"
                        aria-label={`Remove ${m.name} from the team`}
                        onClick={() => setRemoving(m)}
                      >
                        Remove
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={removing ? `Remove ${removing.name} from ${props.team.name}?` : ""}
        confirmLabel="Remove from team"
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (!removing) return;
          await api.delete(`/teams/${props.team.id}/members/${removing.userId}`);
          props.onChanged();
        }}
      >
        <p>
          They can no longer use LLM proxies restricted to this team, unless another of their teams
          is allowed. This applies within seconds.
        </p>
      </ConfirmDialog>
    </Card>
  );
}

function AddMember(props: { team: TeamDetail; onAdded: () => void }) {
  const { can } = useSession();
  const people = useResource(() => loadPeople(can("member:read")), []);
  const form = useFormState();
  const [userId, setUserId] = useState("");
  if (people.state === "loading") return null;
  if (people.state === "error")
    return <Notice tone="error">The people of the organisation could not be loaded.</Notice>;
  if (people.data === null) return null;
  const inTeam = new Set(props.team.members.map((m) => m.userId));
  const candidates = people.data.filter((p) => !inTeam.has(p.id) && p.status === "active");
  if (candidates.length === 0) {
    return (
      <p class="muted">
        Everyone in the organisation is in this team. <a href="/members">Invite people</a> to add
        more.
      </p>
    );
  }
  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!userId) return;
    void form.submit(async () => {
      await api.post(`/teams/${props.team.id}/members`, { userId });
      setUserId("");
      props.onAdded();
    });
  };
  return (
    <form class="add-member" onSubmit={onSubmit}>
      <div class="field">
        <label for="team-add-member">Add a member</label>
        <select
          id="team-add-member"
          class="input"
          value={userId}
          onChange={(e) => setUserId(e.currentTarget.value)}
          aria-describedby={form.error ? "team-add-member-error" : undefined}
        >
          <option value="">Choose a person…</option>
          {candidates.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.email})
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="button primary" disabled={!userId || form.busy}>
        {form.busy ? "Adding…" : "Add to team"}
      </button>
      {form.error ? (
        <p class="field-error" id="team-add-member-error" role="alert">
          {form.error}
        </p>
      ) : null}
      <p class="hint">
        {plural(candidates.length, "person", "people")} in the organisation not yet in this team.
      </p>
    </form>
  );
}
