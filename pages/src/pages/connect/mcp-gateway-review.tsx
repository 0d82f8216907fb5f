// Step 2's Tools line: the MCP gateway whose tools the connection brings, chosen among those
// the member may use, or none (inference only).
import { Loading } from "../../ui/states";
import { useMcpGatewayChoice } from "./mcp-gateway-choice";

export function McpGatewayReview() {
  const { gateways, selected, choose } = useMcpGatewayChoice();
  if (gateways.state === "loading") return <Loading label="Loading MCP gateways…" />;
  const list = gateways.state === "ready" ? gateways.data : [];
  if (list.length === 0)
    return (
      <>
        <p>
          <strong>MCP gateway: none (inference only)</strong>
        </p>
        <p class="muted">
          {gateways.state === "error"
            ? `MCP gateways could not be loaded (${gateways.message}), so this connection brings no tools.`
            : "Tools will be added here when an admin creates an MCP gateway you may use."}
        </p>
      </>
    );
  return (
    <>
      <div class="connect-proxy-pick">
        <label for="connect-mcp-gateway" class="visually-hidden">
          MCP gateway
        </label>
        <select
          id="connect-mcp-gateway"
          class="input"
          value={selected?.id ?? ""}
          onChange={(e) => choose(e.currentTarget.value || null)}
        >
          <option value="">None (inference only)</option>
          {list.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name} ({g.slug})
            </option>
          ))}
        </select>
      </div>
      {selected ? (
        <p class="muted">
          Your client also gets the tools of <strong>{selected.name}</strong>, as the connector{" "}
          <code>{selected.connectorName}</code>. The first time, it opens Gatehouse in your browser
          so you can allow it; every tool call is then made as you and logged.
        </p>
      ) : (
        <p class="muted">
          No tools: only model calls go through Gatehouse. Choose a gateway to add its tools.
        </p>
      )}
    </>
  );
}
