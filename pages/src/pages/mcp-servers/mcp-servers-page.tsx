// MCP servers: the upstream MCP servers gateways draw their tools from. Each is tested when
// saved (its tools are listed then), and each tool can be switched off for every gateway.
import "./mcp-servers.css";
import { useState } from "preact/hooks";
import type { ListOf, McpServerSaved, McpServerView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";
import { ConfirmDialog } from "../../ui/confirm";
import { Modal, NoAccess } from "../../ui/modal";
import { Card, PageHeader } from "../../ui/page";
import { Empty, ErrorState, Loading, Notice } from "../../ui/states";
import { ServerCard } from "./server-card";
import { ServerForm } from "./server-form";
import { TestResultNotice } from "./test-result";

type Editing = { server: McpServerView | null } | null;

export function McpServersPage() {
  const { can } = useSession();
  return can("mcpServer:read") ? (
    <McpServerList />
  ) : (
    <NoAccess title="MCP servers" permission="mcpServer:read" />
  );
}

function McpServerList() {
  const { can } = useSession();
  const servers = useResource(() => api.get<ListOf<McpServerView>>("/mcp-servers"));
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<McpServerView | null>(null);
  const [saved, setSaved] = useState<McpServerSaved | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const canCreate = can("mcpServer:create");
  const openCreate = () => setEditing({ server: null });
  const list = servers.state === "ready" ? servers.data.data : [];

  let body = null;
  if (servers.state === "loading") body = <Loading label="Loading MCP servers…" />;
  else if (servers.state === "error")
    body = <ErrorState message={servers.message} onRetry={servers.reload} />;
  else if (list.length === 0)
    body = (
      <Card>
        <Empty
          title="No MCP servers yet"
          action={
            canCreate ? (
              <button type="button" class="button primary" onClick={openCreate}>
                Add server
              </button>
            ) : null
          }
        >
          An MCP server offers tools (GitHub, a database, your own service). Add one, then put it in
          an MCP gateway so people can use its tools through Gatehouse.
          {canCreate ? "" : " Ask an admin to add one."}
        </Empty>
      </Card>
    );
  else
    body = (
      <div class="card-list">
        {list.map((s) => (
          <ServerCard
            key={s.id}
            server={s}
            canEdit={can("mcpServer:update")}
            canDelete={can("mcpServer:delete")}
            onEdit={() => setEditing({ server: s })}
            onDelete={() => setDeleting(s)}
            onChanged={servers.reload}
          />
        ))}
      </div>
    );

  return (
    <>
      <PageHeader
        title="MCP servers"
        description="The upstream MCP servers whose tools your MCP gateways offer. Their credentials stay in Gatehouse: clients never see them."
        actions={
          canCreate && list.length > 0 ? (
            <button type="button" class="button primary" onClick={openCreate}>
              Add server
            </button>
          ) : null
        }
      />
      {saved ? (
        <div class="stack" aria-live="polite">
          <Notice tone="info">Saved {saved.name}.</Notice>
          <TestResultNotice result={saved.test} serverName={saved.name} />
        </div>
      ) : null}
      {deleted ? <Notice tone="success">{deleted}</Notice> : null}
      {body}
      <Modal
        open={editing !== null}
        title={editing?.server ? `Edit ${editing.server.name}` : "Add an MCP server"}
        onClose={() => setEditing(null)}
      >
        <ServerForm
          server={editing?.server ?? null}
          onClose={() => setEditing(null)}
          onSaved={(s) => {
            setSaved(s);
            setDeleted(null);
            setEditing(null);
            servers.reload();
          }}
        />
      </Modal>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this MCP server?"
        confirmLabel="Delete server"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.delete(`/mcp-servers/${deleting.id}`);
          setSaved(null);
          setDeleted(`Deleted ${deleting.name}.`);
          servers.reload();
        }}
      >
        <p>
          Its tools disappear from{" "}
          {deleting?.gatewayIds.length
            ? `the ${deleting.gatewayIds.length === 1 ? "gateway" : `${deleting.gatewayIds.length} gateways`} it is in`
            : "Gatehouse"}{" "}
          at once, and its stored credential is deleted.
        </p>
      </ConfirmDialog>
    </>
  );
}
