// Apps people allowed to use an MCP gateway (OAuth grants), with Disconnect. The profile shows
// one's own; admins see everyone's on the MCP gateways page.
import { useId, useState } from "preact/hooks";
import type { ListOf, McpConnectionView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { formatDate } from "../../lib/format";
import { useResource } from "../../lib/use-resource";
import { ConfirmDialog } from "../../ui/confirm";
import { Empty, ErrorState, Loading } from "../../ui/states";
import { TableHead } from "../../ui/table-head";
import { scopeSummary } from "../oauth-consent/scopes";

const appName = (c: McpConnectionView) => c.client.name || "Unnamed app";
const gatewayName = (c: McpConnectionView) =>
  c.gateway.name ?? c.gateway.slug ?? "A deleted gateway";

export function ConnectionsCard(props: {
  /** Everyone's connections (admins) rather than one's own. */
  all: boolean;
  title: string;
  emptyText: string;
}) {
  const connections = useResource(
    () =>
      api.get<ListOf<McpConnectionView>>("/oauth/connections", props.all ? { all: "true" } : {}),
    [props.all],
  );
  const [ending, setEnding] = useState<McpConnectionView | null>(null);
  const titleId = useId();
  let body = null;
  if (connections.state === "loading") body = <Loading label="Loading connected apps…" />;
  else if (connections.state === "error")
    body = <ErrorState message={connections.message} onRetry={connections.reload} />;
  else if (connections.data.data.length === 0)
    body = <Empty title="No connected apps">{props.emptyText}</Empty>;
  else
    body = (
      <div class="table-wrap">
        <table class="stack-table mcp-connections">
          <TableHead
            columns={[...(props.all ? ["Person"] : []), "App", "Gateway", "Access", "Since"]}
            actions
          />
          <tbody>
            {connections.data.data.map((c) => (
              <tr key={`${c.user.id}/${c.id}`}>
                {props.all ? (
                  <td data-label="Person" class="mcp-wrap">
                    {c.user.email ?? c.user.id}
                  </td>
                ) : null}
                <td class="name-cell mcp-wrap">
                  <strong>{appName(c)}</strong>
                </td>
                <td data-label="Gateway" class="mcp-wrap">
                  {gatewayName(c)}
                </td>
                <td data-label="Access">{scopeSummary(c.scopes)}</td>
                <td data-label="Since">{formatDate(c.createdAt)}</td>
                <td class="actions">
                  <button
                    type="button"
                    class="button secondary small danger-text"
                    aria-label={`Disconnect ${appName(c)}${props.all && c.user.email ? ` of ${c.user.email}` : ""}`}
                    onClick={() => setEnding(c)}
                  >
                    Disconnect
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  return (
    <section class="card" aria-labelledby={titleId}>
      <div class="card-header">
        <h2 id={titleId}>{props.title}</h2>
      </div>
      {body}
      <ConfirmDialog
        open={ending !== null}
        title="Disconnect this app?"
        confirmLabel="Disconnect"
        onClose={() => setEnding(null)}
        onConfirm={async () => {
          if (!ending) return;
          await api.delete(
            `/oauth/connections/${encodeURIComponent(ending.user.id)}/${encodeURIComponent(ending.id)}`,
          );
          connections.reload();
        }}
      >
        <p>
          {ending
            ? `${appName(ending)} loses access to ${gatewayName(ending)} at once${props.all && ending.user.email ? ` for ${ending.user.email}` : ""}. To use it again, it must be connected and allowed again.`
            : ""}
        </p>
      </ConfirmDialog>
    </section>
  );
}
