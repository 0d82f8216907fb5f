// The list of virtual keys: who owns each, what it is, when it was used, and what one may do.
import type { VirtualKeyView } from "../../../../shared/api-types";
import { formatDate, formatRelative } from "../../lib/format";
import { shortDate } from "../../ui/modal";
import { Badge } from "../../ui/page";
import { ActionsHead } from "../../ui/table-head";

const STATUS = {
  active: { tone: "good", label: "Active" },
  expired: { tone: "warn", label: "Expired" },
  revoked: { tone: "bad", label: "Revoked" },
} as const;

export function KeyTable(props: {
  keys: VirtualKeyView[];
  userId: string;
  showOwner: boolean;
  /** May revoke keys other people own. */
  admin: boolean;
  onReveal: (key: VirtualKeyView) => void;
  onRevoke: (key: VirtualKeyView) => void;
}) {
  return (
    <div class="table-wrap">
      <table class="stack-table">
        <thead>
          <tr>
            <th scope="col">Name and key</th>
            <th scope="col">Kind</th>
            {props.showOwner ? <th scope="col">Owner</th> : null}
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <ActionsHead />
          </tr>
        </thead>
        <tbody>
          {props.keys.map((k) => {
            const own = k.ownerUserId === props.userId;
            const status = STATUS[k.status];
            return (
              <tr key={k.id}>
                <td class="name-cell">
                  <strong>{k.name}</strong>
                  <span class="cell-sub key-sub">
                    <code class="mono">{k.prefix}…</code>
                    {k.connectionProxyId ? <Badge tone="info">Connection</Badge> : null}
                  </span>
                </td>
                <td data-label="Kind">{k.kind === "standard" ? "Standard" : "Passthrough"}</td>
                {props.showOwner ? (
                  <td data-label="Owner">
                    <span>
                      {k.ownerName ?? k.ownerEmail ?? k.ownerUserId}
                      {own ? <span class="muted"> (you)</span> : null}
                      {k.ownerEmail ? <span class="cell-sub">{k.ownerEmail}</span> : null}
                    </span>
                  </td>
                ) : null}
                <td
                  class="col-optional nowrap"
                  data-label="Created"
                  title={formatDate(k.createdAt)}
                >
                  {shortDate(k.createdAt)}
                </td>
                <td
                  class="nowrap"
                  data-label="Last used"
                  title={k.lastUsedAt ? formatDate(k.lastUsedAt) : undefined}
                >
                  {k.lastUsedAt ? formatRelative(k.lastUsedAt) : <span class="muted">Never</span>}
                </td>
                <td class="nowrap" data-label="Expires" title={formatDate(k.expiresAt)}>
                  {k.expiresAt ? shortDate(k.expiresAt) : <span class="muted">Never</span>}
                </td>
                <td class="status-cell">
                  <Badge tone={status.tone}>{status.label}</Badge>
                </td>
                <td class="actions">
                  {own && k.status === "active" ? (
                    <button
                      type="button"
                      class="button secondary small"
                      aria-label={`Reveal ${k.name}`}
                      onClick={() => props.onReveal(k)}
                    >
                      Reveal
                    </button>
                  ) : null}
                  {k.status !== "revoked" && (own || props.admin) ? (
                    <button
                      type="button"
                      class="button secondary small danger-text"
                      aria-label={`Revoke ${k.name}`}
                      onClick={() => props.onRevoke(k)}
                    >
                      Revoke
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
