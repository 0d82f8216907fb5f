// MCP gateways: the endpoints people connect their apps to (/v1/mcp/<slug>), each offering
// the tools of the servers assigned to it to the teams allowed to use it. Admins also see
// every person's connected apps here and can disconnect them.
import "./mcp-gateways.css";
import { useState } from "preact/hooks";
import type { ListOf, McpGatewayView, McpServerView, TeamView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";
import { ConfirmDialog } from "../../ui/confirm";
import { Modal, NoAccess } from "../../ui/modal";
import { Card, PageHeader } from "../../ui/page";
import { Empty, ErrorState, Loading, Notice } from "../../ui/states";
import { ConnectionsCard } from "./connections-card";
import { GatewayCard } from "./gateway-card";
import { GatewayForm } from "./gateway-form";

type Editing = { gateway: McpGatewayView | null } | null;

export function McpGatewaysPage() {
  const { can } = useSession();
  return can("mcpGateway:read") ? (
    <McpGatewayList />
  ) : (
    <NoAccess title="MCP gateways" permission="mcpGateway:read" />
  );
}

function McpGatewayList() {
  const { can } = useSession();
  const readServers = can("mcpServer:read");
  const readTeams = can("team:read");
  const gateways = useResource(() => api.get<ListOf<McpGatewayView>>("/mcp-gateways"));
  const servers = useResource(
    () =>
      readServers
        ? api.get<ListOf<McpServerView>>("/mcp-servers").then((r) => r.data)
        : Promise.resolve(null),
    [readServers],
  );
  const teams = useResource(
    () =>
      readTeams ? api.get<ListOf<TeamView>>("/teams").then((r) => r.data) : Promise.resolve(null),
    [readTeams],
  );
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<McpGatewayView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const canCreate = can("mcpGateway:create");
  const openCreate = () => setEditing({ gateway: null });
  const serverList = servers.state === "ready" ? servers.data : null;
  const teamList = teams.state === "ready" ? teams.data : null;
  const list = gateways.state === "ready" ? gateways.data.data : [];

  let body = null;
  if (gateways.state === "loading" || servers.state === "loading" || teams.state === "loading")
    body = <Loading label="Loading MCP gateways…" />;
  else if (gateways.state === "error")
    body = <ErrorState message={gateways.message} onRetry={gateways.reload} />;
  else if (list.length === 0)
    body = (
      <Card>
        <Empty
          title="No MCP gateways yet"
          action={
            canCreate ? (
              <button type="button" class="button primary" onClick={openCreate}>
                Create gateway
              </button>
            ) : null
          }
        >
          A gateway gathers the tools of one or more MCP servers behind one URL. People add it to
          Claude Desktop or Claude Code from the Connect page, and every tool call is made as them.
          {serverList?.length === 0 ? (
            <>
              {" "}
              Start by <a href="/mcp-servers">adding an MCP server</a>.
            </>
          ) : null}
        </Empty>
      </Card>
    );
  else
    body = (
      <div class="card-list">
        {servers.state === "error" ? (
          <Notice tone="warning">Server names could not be loaded: {servers.message}</Notice>
        ) : null}
        {list.map((g) => (
          <GatewayCard
            key={g.id}
            gateway={g}
            servers={serverList}
            teams={teamList}
            canEdit={can("mcpGateway:update")}
            canDelete={can("mcpGateway:delete")}
            onEdit={() => setEditing({ gateway: g })}
            onDelete={() => setDeleting(g)}
          />
        ))}
      </div>
    );

  return (
    <>
      <PageHeader
        title="MCP gateways"
        description="The URLs people connect their apps to for tools. Each offers the enabled tools of its servers to the teams allowed to use it; every call is authenticated, checked and logged."
        actions={
          canCreate && list.length > 0 ? (
            <button type="button" class="button primary" onClick={openCreate}>
              Create gateway
            </button>
          ) : null
        }
      />
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {body}
      {can("member:read") ? (
        <ConnectionsCard
          all
          title="MCP connections"
          emptyText="Nobody has connected an app to an MCP gateway yet."
        />
      ) : null}
      <Modal
        open={editing !== null}
        title={editing?.gateway ? `Edit ${editing.gateway.name}` : "Create an MCP gateway"}
        onClose={() => setEditing(null)}
      >
        <GatewayForm
          gateway={editing?.gateway ?? null}
          servers={serverList}
          teams={teamList}
          onClose={() => setEditing(null)}
          onSaved={(g) => {
            setNotice(
              editing?.gateway ? `Saved ${g.name}.` : `Created ${g.name}. Its URL is ${g.url}.`,
            );
            setEditing(null);
            gateways.reload();
            servers.reload();
          }}
        />
      </Modal>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this MCP gateway?"
        confirmLabel="Delete gateway"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.delete(`/mcp-gateways/${deleting.id}`);
          setNotice(`Deleted ${deleting.name}.`);
          gateways.reload();
        }}
      >
        <p>
          Apps connected to <strong>{deleting?.name}</strong> lose its tools at once, and its URL
          stops working. The MCP servers themselves are kept.
        </p>
      </ConfirmDialog>
    </>
  );
}
