// One's own account: who you are, what you may do, and where you are signed in.
import { useState } from "preact/hooks";
import type { ListOf, SessionView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { formatDate, formatRelative } from "../lib/format";
import { useSession } from "../lib/session";
import { useResource } from "../lib/use-resource";
import { ConfirmDialog } from "../ui/confirm";
import { roleLabel } from "../ui/layout";
import { Badge, Card, PageHeader } from "../ui/page";
import { ErrorState, Loading } from "../ui/states";
import { TableHead } from "../ui/table-head";
import "./mcp-gateways/mcp-gateways.css";
import { ConnectionsCard } from "./mcp-gateways/connections-card";

/** A readable name for a browser from its user agent, enough to tell sessions apart. */
export function describeAgent(ua: string | null): string {
  if (!ua) return "Unknown client";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Chrome\//.test(ua)
      ? "Chrome"
      : /Firefox\//.test(ua)
        ? "Firefox"
        : /Safari\//.test(ua)
          ? "Safari"
          : ua.split(/[\s/]/)[0] || "Unknown client";
  const os = /Windows/.test(ua)
    ? "Windows"
    : /Mac OS X/.test(ua)
      ? "macOS"
      : /Linux/.test(ua)
        ? "Linux"
        : "";
  return os ? `${browser} on ${os}` : browser;
}

export function ProfilePage() {
  const { user, signOut } = useSession();
  const sessions = useResource(() => api.get<ListOf<SessionView>>("/sessions"));
  const [ending, setEnding] = useState<SessionView | null>(null);
  return (
    <>
      <PageHeader
        title="Your profile"
        description="Your account and the browsers you are signed in on."
      />
      <Card title="Account">
        <dl class="details">
          <dt>Name</dt>
          <dd>{user.name}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Role</dt>
          <dd>
            <Badge tone={user.role === "admin" ? "info" : "neutral"}>{roleLabel(user.role)}</Badge>
          </dd>
          <dt>Permissions</dt>
          <dd class="chip-list">
            {user.permissions.map((p) => (
              <code key={p}>{p}</code>
            ))}
          </dd>
        </dl>
      </Card>
      <Card title="Sessions">
        {sessions.state === "loading" ? <Loading label="Loading sessions…" /> : null}
        {sessions.state === "error" ? (
          <ErrorState message={sessions.message} onRetry={sessions.reload} />
        ) : null}
        {sessions.state === "ready" ? (
          <div class="table-wrap">
            <table>
              <TableHead columns={["Browser", "Signed in", "Expires"]} actions />
              <tbody>
                {sessions.data.data.map((s) => (
                  <tr key={s.id}>
                    <td>
                      {describeAgent(s.userAgent)}{" "}
                      {s.current ? <Badge tone="good">This browser</Badge> : null}
                    </td>
                    <td>{formatDate(s.createdAt)}</td>
                    <td>{formatRelative(s.expiresAt)}</td>
                    <td class="actions">
                      {s.current ? (
                        <button
                          type="button"
                          class="button secondary small"
                          onClick={() => void signOut()}
                        >
                          Sign out
                        </button>
                      ) : (
                        <button
                          type="button"
                          class="button secondary small"
                          onClick={() => setEnding(s)}
                        >
                          End session
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Card>
      <ConfirmDialog
        open={ending !== null}
        title="End this session?"
        confirmLabel="End session"
        onClose={() => setEnding(null)}
        onConfirm={async () => {
          if (!ending) return;
          await api.delete(`/sessions/${ending.id}`);
          sessions.reload();
        }}
      >
        <p>
          {ending
            ? `${describeAgent(ending.userAgent)} will be signed out on its next request.`
            : ""}
        </p>
      </ConfirmDialog>
      <ConnectionsCard
        all={false}
        title="Connected apps"
        emptyText="When you connect an app such as Claude Desktop to an MCP gateway and allow it, it appears here. Disconnect it to take its access away."
      />
    </>
  );
}
