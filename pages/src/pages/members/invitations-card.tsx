// Invitation links: made here, copied by the admin, accepted at /invite/<token>.
import { useState } from "preact/hooks";
import type { InvitationView, ListOf, RoleView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { formatDate, formatRelative } from "../../lib/format";
import { type Resource, useResource } from "../../lib/use-resource";
import { ConfirmDialog } from "../../ui/confirm";
import { Modal } from "../../ui/modal";
import { Badge, Card } from "../../ui/page";
import { Empty, ErrorState, Loading } from "../../ui/states";
import { TableHead } from "../../ui/table-head";
import { InviteForm } from "./invite-form";

const STATUS_TONE = {
  pending: "info",
  accepted: "good",
  expired: "warn",
  revoked: "neutral",
} as const;

export function InvitationsCard({ roles }: { roles: Resource<RoleView[] | null> }) {
  const invitations = useResource(() => api.get<ListOf<InvitationView>>("/invitations"));
  const roleList = roles.state === "ready" ? roles.data : null;
  const [inviting, setInviting] = useState(false);
  const [revoking, setRevoking] = useState<InvitationView | null>(null);
  const pendingFirst = (list: InvitationView[]) =>
    [...list].sort((a, b) => Number(b.status === "pending") - Number(a.status === "pending"));

  return (
    <Card
      title="Invitations"
      actions={
        <button type="button" class="button primary" onClick={() => setInviting(true)}>
          Invite member
        </button>
      }
    >
      {invitations.state === "loading" ? <Loading label="Loading invitations…" /> : null}
      {invitations.state === "error" ? (
        <ErrorState message={invitations.message} onRetry={invitations.reload} />
      ) : null}
      {invitations.state === "ready" && invitations.data.data.length === 0 ? (
        <Empty title="No invitations yet">
          Invite someone: you get a link to send them, valid for three days by default.
        </Empty>
      ) : null}
      {invitations.state === "ready" && invitations.data.data.length > 0 ? (
        <div class="table-wrap">
          <table>
            <TableHead columns={["Email", "Role", "Status", "Expires"]} actions />
            <tbody>
              {pendingFirst(invitations.data.data).map((inv) => (
                <tr key={inv.id}>
                  <td>{inv.email}</td>
                  <td>{inv.roleName}</td>
                  <td>
                    <Badge tone={STATUS_TONE[inv.status]}>{inv.status}</Badge>
                  </td>
                  <td title={formatDate(inv.expiresAt)}>
                    {inv.status === "pending" ? formatRelative(inv.expiresAt) : "—"}
                  </td>
                  <td class="actions">
                    {inv.status === "pending" ? (
                      <button
                        type="button"
                        class="button secondary small"
                        aria-label={`Revoke the invitation for ${inv.email}`}
                        onClick={() => setRevoking(inv)}
                      >
                        Revoke
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Modal open={inviting} title="Invite a member" onClose={() => setInviting(false)}>
        <InviteForm
          roles={roleList}
          onClose={() => setInviting(false)}
          onCreated={() => invitations.reload()}
        />
      </Modal>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this invitation?"
        confirmLabel="Revoke invitation"
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          await api.delete(`/invitations/${revoking.id}`);
          invitations.reload();
        }}
      >
        <p>The link sent to {revoking?.email} stops working at once.</p>
      </ConfirmDialog>
    </Card>
  );
}
