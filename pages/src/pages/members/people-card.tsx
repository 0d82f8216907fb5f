// Everyone in the organisation: role changes, deactivation and password-reset links.
import { useState } from "preact/hooks";
import type { ListOf, MemberView, PasswordResetLink, RoleView } from "../../../../shared/api-types";
import { api, errorMessage } from "../../lib/api";
import { formatDate } from "../../lib/format";
import { useSession } from "../../lib/session";
import { type Resource, useResource } from "../../lib/use-resource";
import { ConfirmDialog } from "../../ui/confirm";
import { Modal, TokenDisplay } from "../../ui/modal";
import { Badge, Card } from "../../ui/page";
import { Empty, ErrorState, Loading, Notice } from "../../ui/states";
import { TableHead } from "../../ui/table-head";
import { ChangeRoleForm } from "./change-role-form";
import { roleName } from "./roles";

type Pending =
  | { kind: "role"; member: MemberView }
  | { kind: "deactivate"; member: MemberView }
  | { kind: "reset"; member: MemberView; url: string; expiresAt: number }
  | null;

export function PeopleCard({ roles }: { roles: Resource<RoleView[] | null> }) {
  const { user, can } = useSession();
  const members = useResource(() => api.get<ListOf<MemberView>>("/users"));
  const roleList = roles.state === "ready" ? roles.data : null;
  const [pending, setPending] = useState<Pending>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const mayUpdate = can("member:update");

  /** Runs a row action; its failure is shown above the table, never swallowed. */
  const act = (action: () => Promise<void>) => {
    setActionError(null);
    action().catch((err: unknown) => setActionError(errorMessage(err)));
  };
  const resetLink = (member: MemberView) =>
    act(async () => {
      const link = await api.post<PasswordResetLink>(`/users/${member.id}/password-reset`);
      setPending({ kind: "reset", member, ...link });
    });
  const reactivate = (member: MemberView) =>
    act(async () => {
      await api.post(`/users/${member.id}/reactivate`);
      members.reload();
    });

  return (
    <Card title="People">
      {actionError ? <Notice tone="error">{actionError}</Notice> : null}
      {members.state === "loading" ? <Loading label="Loading members…" /> : null}
      {members.state === "error" ? (
        <ErrorState message={members.message} onRetry={members.reload} />
      ) : null}
      {members.state === "ready" && members.data.data.length === 0 ? (
        <Empty title="Nobody here yet." />
      ) : null}
      {members.state === "ready" && members.data.data.length > 0 ? (
        <div class="table-wrap">
          <table>
            <TableHead columns={["Person", "Role", "Status", "Joined"]} actions />
            <tbody>
              {members.data.data.map((m) => {
                const active = m.status === "active";
                const self = m.id === user.id;
                return (
                  <tr key={m.id}>
                    <td>
                      <strong>{m.name}</strong> {self ? <span class="muted">(you)</span> : null}
                      <span class="cell-sub">{m.email}</span>
                    </td>
                    <td>{roleName(roleList, m.role)}</td>
                    <td>
                      {active ? (
                        <Badge tone="good">Active</Badge>
                      ) : (
                        <Badge tone="bad">Deactivated</Badge>
                      )}
                    </td>
                    <td>{formatDate(m.createdAt)}</td>
                    <td class="actions">
                      {mayUpdate ? (
                        <div class="row end">
                          <button
                            type="button"
                            class="button secondary small"
                            aria-label={`Change role of ${m.name}`}
                            onClick={() => setPending({ kind: "role", member: m })}
                          >
                            Role
                          </button>
                          {active ? (
                            <button
                              type="button"
                              class="button secondary small"
                              aria-label={`Password reset link for ${m.name}`}
                              onClick={() => resetLink(m)}
                            >
                              Reset link
                            </button>
                          ) : null}
                          {self ? null : active ? (
                            <button
                              type="button"
                              class="button secondary small"
                              aria-label={`Deactivate ${m.name}`}
                              onClick={() => setPending({ kind: "deactivate", member: m })}
                            >
                              Deactivate
                            </button>
                          ) : (
                            <button
                              type="button"
                              class="button secondary small"
                              aria-label={`Reactivate ${m.name}`}
                              onClick={() => reactivate(m)}
                            >
                              Reactivate
                            </button>
                          )}
                        </div>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <Modal
        open={pending?.kind === "role"}
        title={pending?.kind === "role" ? `Change the role of ${pending.member.name}` : ""}
        onClose={() => setPending(null)}
      >
        {pending?.kind === "role" && roleList ? (
          <ChangeRoleForm
            member={pending.member}
            roles={roleList}
            onCancel={() => setPending(null)}
            onSaved={() => {
              setPending(null);
              members.reload();
            }}
          />
        ) : null}
      </Modal>
      <Modal
        open={pending?.kind === "reset"}
        title={pending?.kind === "reset" ? `Password reset link for ${pending.member.name}` : ""}
        onClose={() => setPending(null)}
      >
        {pending?.kind === "reset" ? (
          <div class="stack">
            <p>
              Send this link to {pending.member.email} yourself. It works once, until{" "}
              {formatDate(pending.expiresAt)}; earlier links stop working.
            </p>
            <TokenDisplay token={pending.url} label="Reset link" />
            <div class="dialog-actions">
              <button type="button" class="button primary" onClick={() => setPending(null)}>
                Done
              </button>
            </div>
          </div>
        ) : null}
      </Modal>
      <ConfirmDialog
        open={pending?.kind === "deactivate"}
        title={pending?.kind === "deactivate" ? `Deactivate ${pending.member.name}?` : ""}
        confirmLabel="Deactivate"
        onClose={() => setPending(null)}
        onConfirm={async () => {
          if (pending?.kind !== "deactivate") return;
          await api.post(`/users/${pending.member.id}/deactivate`);
          members.reload();
        }}
      >
        <p>
          They are signed out everywhere, and their keys stop working on the next request. You can
          reactivate them later.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
