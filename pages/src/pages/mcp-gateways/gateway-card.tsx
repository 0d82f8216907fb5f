// One MCP gateway: its URL and Claude Desktop connector name, the servers whose tools it
// offers, and who may use it.
import type { McpGatewayView, McpServerView, TeamView } from "../../../../shared/api-types";
import { CopyButton } from "../../ui/copy-button";
import { Badge } from "../../ui/page";
import { EditDeleteButtons, ResourceCard } from "../../ui/resource-card";

function Names(props: {
  ids: string[];
  known: { id: string; name: string }[] | null;
  none: string;
}) {
  if (props.ids.length === 0) return <span class="muted">{props.none}</span>;
  if (!props.known) return <span>{props.ids.length}</span>;
  const known = props.known;
  return (
    <span class="chip-list inline">
      {props.ids.map((id) => (
        <code key={id}>{known.find((k) => k.id === id)?.name ?? "unknown"}</code>
      ))}
    </span>
  );
}

export function GatewayCard(props: {
  gateway: McpGatewayView;
  servers: McpServerView[] | null;
  teams: TeamView[] | null;
  canEdit: boolean;
  canDelete: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const g = props.gateway;
  return (
    <ResourceCard
      headingId={`mcp-gateway-${g.id}`}
      class="mcp-gateway-card"
      title={g.name}
      badges={<Badge>{g.slug}</Badge>}
      actions={
        <EditDeleteButtons
          name={g.name}
          canEdit={props.canEdit}
          canDelete={props.canDelete}
          onEdit={props.onEdit}
          onDelete={props.onDelete}
        />
      }
    >
      {g.description ? <p class="muted">{g.description}</p> : null}
      <dl class="details">
        <dt>URL</dt>
        <dd class="url-cell">
          <code class="mono url-value">{g.url}</code>
          <CopyButton text={g.url} label="Copy URL" />
        </dd>
        <dt>Connector name</dt>
        <dd>
          <code>{g.connectorName}</code>
        </dd>
        <dt>Servers</dt>
        <dd>
          <Names ids={g.serverIds} known={props.servers} none="No servers: it offers no tools" />
        </dd>
        <dt>Who may use it</dt>
        <dd>
          {g.teamIds.length === 0 ? (
            "Everyone in the organisation"
          ) : (
            <>
              Members of <Names ids={g.teamIds} known={props.teams} none="" />
            </>
          )}
        </dd>
      </dl>
    </ResourceCard>
  );
}
