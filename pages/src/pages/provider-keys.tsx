// Provider keys: the organisation's real Anthropic credentials. Secrets go in once, are
// encrypted at rest, and never come back out; the dashboard shows their last four characters.
import { useState } from "preact/hooks";
import type { ListOf, ProviderKeyView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import { useResource } from "../lib/use-resource";
import { ConfirmDialog } from "../ui/confirm";
import { Modal, NoAccess } from "../ui/modal";
import { Card, PageHeader } from "../ui/page";
import { Empty, ErrorState, Loading, Notice } from "../ui/states";
import { AddKeyForm, EditKeyForm } from "./provider-keys/key-forms";
import { ProviderKeyTable } from "./provider-keys/key-table";

type Editing = { mode: "add" } | { mode: "edit"; key: ProviderKeyView } | null;

export function ProviderKeysPage() {
  const { can } = useSession();
  return can("providerKey:read") ? (
    <ProviderKeysList />
  ) : (
    <NoAccess title="Provider keys" permission="providerKey:read" />
  );
}

function ProviderKeysList() {
  const { can } = useSession();
  const keys = useResource(() => api.get<ListOf<ProviderKeyView>>("/provider-keys"));
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<ProviderKeyView | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const canCreate = can("providerKey:create");
  const openAdd = () => setEditing({ mode: "add" });
  // With no keys the empty state carries the one "Add provider key" button.
  const empty = keys.state === "ready" && keys.data.data.length === 0;

  return (
    <>
      <PageHeader
        title="Provider keys"
        description="The organisation's Anthropic API keys. LLM proxies send requests upstream with them; people only ever hold virtual keys."
        actions={
          canCreate && keys.state !== "loading" && !empty ? (
            <button type="button" class="button primary" onClick={openAdd}>
              Add provider key
            </button>
          ) : null
        }
      />
      <Notice tone="info">
        Secrets are encrypted at rest and never shown after entry, not even to admins: the dashboard
        shows only their last four characters. To change one, rotate it.
      </Notice>
      {done ? <Notice tone="success">{done}</Notice> : null}
      <Card>
        {keys.state === "loading" ? <Loading label="Loading provider keys…" /> : null}
        {keys.state === "error" ? (
          <ErrorState message={keys.message} onRetry={keys.reload} />
        ) : null}
        {empty ? (
          <Empty
            title="No provider keys yet"
            action={
              canCreate ? (
                <button type="button" class="button primary" onClick={openAdd}>
                  Add provider key
                </button>
              ) : null
            }
          >
            Add your organisation's Anthropic API key, then create an LLM proxy that uses it.
          </Empty>
        ) : null}
        {keys.state === "ready" && keys.data.data.length > 0 ? (
          <ProviderKeyTable
            keys={keys.data.data}
            canEdit={can("providerKey:update")}
            canDelete={can("providerKey:delete")}
            onEdit={(key) => setEditing({ mode: "edit", key })}
            onDelete={setDeleting}
          />
        ) : null}
      </Card>
      <Modal
        open={editing !== null}
        title={editing?.mode === "edit" ? `Edit ${editing.key.name}` : "Add a provider key"}
        onClose={() => setEditing(null)}
      >
        {editing?.mode === "edit" ? (
          <EditKeyForm
            pk={editing.key}
            onClose={() => setEditing(null)}
            onSaved={(k) => {
              setDone(`Saved ${k.name}.`);
              setEditing(null);
              keys.reload();
            }}
          />
        ) : (
          <AddKeyForm
            onClose={() => setEditing(null)}
            onSaved={(k) => {
              setDone(
                `Added ${k.name} (••••${k.secretLast4}). Attach it to an LLM proxy to use it.`,
              );
              setEditing(null);
              keys.reload();
            }}
          />
        )}
      </Modal>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this provider key?"
        confirmLabel="Delete key"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.delete(`/provider-keys/${deleting.id}`);
          setDone(`Deleted ${deleting.name}.`);
          keys.reload();
        }}
      >
        <p>
          <strong>{deleting?.name}</strong> (••••{deleting?.secretLast4}) is deleted for good. A key
          still used by an LLM proxy or a live virtual key cannot be deleted: move or revoke those
          first.
        </p>
      </ConfirmDialog>
    </>
  );
}
