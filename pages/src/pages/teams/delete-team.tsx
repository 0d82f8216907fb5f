// Deleting a team: its memberships go, and proxies and MCP gateways restricted to it lose it.
// One left with no team is open to everyone in the organisation: the dialog says so, by name.
import type { LlmProxyView, TeamView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";
import { ConfirmDialog } from "../../ui/confirm";
import { loadGateways, onlyThisTeam, plural } from "./data";

export function DeleteTeamDialog(props: {
  team: TeamView | null;
  proxies: LlmProxyView[] | null;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const { can } = useSession();
  const gateways = useResource(() => loadGateways(can("mcpGateway:read")), []);
  const team = props.team;
  const opened = team ? onlyThisTeam(props.proxies, team.id) : [];
  const openedGateways =
    team && gateways.state === "ready" ? onlyThisTeam(gateways.data, team.id) : [];
  return (
    <ConfirmDialog
      open={team !== null}
      title={team ? `Delete the team ${team.name}?` : ""}
      confirmLabel="Delete team"
      onClose={props.onClose}
      onConfirm={async () => {
        if (!team) return;
        await api.delete(`/teams/${team.id}`);
        gateways.reload();
        props.onDeleted();
      }}
    >
      {team ? (
        <div class="stack">
          <p>
            Its {plural(team.memberCount, "member")} stay in the organisation but leave the team.
            Spend is no longer grouped under it.
          </p>
          {opened.length > 0 ? (
            <div>
              <p>
                <strong>
                  {opened.length === 1
                    ? "This LLM proxy is restricted only to this team and becomes open to everyone in the organisation:"
                    : "These LLM proxies are restricted only to this team and become open to everyone in the organisation:"}
                </strong>
              </p>
              <ul class="team-proxy-names">
                {opened.map((p) => (
                  <li key={p.id}>{p.name}</li>
                ))}
              </ul>
            </div>
          ) : (
            <p>
              Any LLM proxy restricted only to this team becomes open to everyone in the
              organisation.
            </p>
          )}
          {openedGateways.length > 0 ? (
            <div>
              <p>
                <strong>
                  {openedGateways.length === 1
                    ? "This MCP gateway is restricted only to this team and becomes open to everyone in the organisation:"
                    : "These MCP gateways are restricted only to this team and become open to everyone in the organisation:"}
                </strong>
              </p>
              <ul class="team-proxy-names">
                {openedGateways.map((g) => (
                  <li key={g.id}>{g.name}</li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      ) : null}
    </ConfirmDialog>
  );
}
