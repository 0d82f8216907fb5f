// Roles: the three built-in ones, and the organisation's own, made of permissions.
import { useState } from "preact/hooks";
import type { RoleView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import type { Resource } from "../../lib/use-resource";
import { ConfirmDialog } from "../../ui/confirm";
import { Modal } from "../../ui/modal";
import { Badge, Card } from "../../ui/page";
import { ErrorState, Loading } from "../../ui/states";
import { RoleForm } from "./role-form";

/** `roles` is the page's list: reloading it after a change updates every card that shows roles. */
export function RolesCard({ roles }: { roles: Resource<RoleView[] | null> }) {
  const { can } = useSession();
  const [editing, setEditing] = useState<RoleView | "new" | null>(null);
  const [deleting, setDeleting] = useState<RoleView | null>(null);
  const all = (roles.state === "ready" ? roles.data : null) ?? [];
  // The admin role holds every permission there is: the list to choose from.
  const everyPermission = all.find((r) => r.id === "admin")?.permissions ?? [];
  return (
    <Card
      title="Roles"
      actions={
        can("role:create") ? (
          <button type="button" class="button secondary" onClick={() => setEditing("new")}>
            New role
          </button>
        ) : null
      }
    >
      {roles.state === "loading" ? <Loading label="Loading roles…" /> : null}
      {roles.state === "error" ? (
        <ErrorState message={roles.message} onRetry={roles.reload} />
      ) : null}
      {roles.state === "ready" ? (
        <ul class="role-list">
          {all.map((r) => (
            <li key={r.id}>
              <div>
                <strong>{r.name}</strong>{" "}
                {r.builtIn ? <Badge>Built-in</Badge> : <Badge tone="info">Custom</Badge>}
                <span class="cell-sub">
                  {r.description ?? ""} {r.permissions.length} permission
                  {r.permissions.length === 1 ? "" : "s"}
                </span>
              </div>
              {r.builtIn ? null : (
                <div class="row">
                  {can("role:update") ? (
                    <button
                      type="button"
                      class="button secondary small"
                      aria-label={`Edit role ${r.name}`}
                      onClick={() => setEditing(r)}
                    >
                      Edit
                    </button>
                  ) : null}
                  {can("role:delete") ? (
                    <button
                      type="button"
                      class="button secondary small"
                      aria-label={`Delete role ${r.name}`}
                      onClick={() => setDeleting(r)}
                    >
                      Delete
                    </button>
                  ) : null}
                </div>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <Modal
        open={editing !== null}
        title={editing === "new" ? "New role" : editing ? `Edit ${editing.name}` : ""}
        onClose={() => setEditing(null)}
      >
        {editing ? (
          <RoleForm
            role={editing === "new" ? null : editing}
            permissions={everyPermission}
            onCancel={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              roles.reload();
            }}
          />
        ) : null}
      </Modal>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this role?"
        confirmLabel="Delete role"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.delete(`/roles/${deleting.id}`);
          roles.reload();
        }}
      >
        <p>A role that someone still holds cannot be deleted: give them another role first.</p>
      </ConfirmDialog>
    </Card>
  );
}
