// The LLM proxies a team's members may use because the proxy is restricted to this team
// (among others). Restrictions are set on the proxy, on the LLM proxies page.
import type { LlmProxyView, TeamDetail } from "../../../../shared/api-types";
import { useSession } from "../../lib/session";
import { Badge, Card } from "../../ui/page";
import { Empty, ErrorState, Loading } from "../../ui/states";
import { plural } from "./data";

export function TeamProxiesCard(props: {
  team: TeamDetail;
  proxies: LlmProxyView[] | null;
  loading: boolean;
  error: string | null;
  onRetry: () => void;
}) {
  const { can } = useSession();
  const ids = props.team.llmProxyIds;
  const byId = new Map((props.proxies ?? []).map((p) => [p.id, p]));
  const manage = can("llmProxy:update") ? (
    <a class="button secondary small" href="/llm-proxies">
      Manage on LLM proxies
    </a>
  ) : null;
  let body = null;
  if (props.loading) body = <Loading label="Loading LLM proxies…" />;
  else if (props.error) body = <ErrorState message={props.error} onRetry={props.onRetry} />;
  else if (ids.length === 0)
    body = (
      <Empty title="No LLM proxy is restricted to this team">
        A proxy restricted to teams can be used only by their members; one with no teams is open to
        everyone. Choose a proxy's teams on the LLM proxies page.
      </Empty>
    );
  else
    body = (
      <>
        <p class="muted">
          Only members of the teams a proxy lists may use it. This team is on{" "}
          {plural(ids.length, "proxy", "proxies")}:
        </p>
        <ul class="team-proxies">
          {ids.map((id) => {
            const proxy = byId.get(id);
            const others = (proxy?.teamIds ?? []).filter((t) => t !== props.team.id).length;
            return (
              <li key={id}>
                <span>
                  <strong>{proxy ? proxy.name : id}</strong>
                  {proxy?.isDefault ? (
                    <>
                      {" "}
                      <Badge tone="info">Default</Badge>
                    </>
                  ) : null}
                </span>
                <span class="muted">
                  {others === 0
                    ? "Only this team"
                    : `With ${plural(others, "other team", "other teams")}`}
                </span>
              </li>
            );
          })}
        </ul>
      </>
    );
  return (
    <Card title="LLM proxies restricted to this team" actions={manage}>
      {body}
    </Card>
  );
}
