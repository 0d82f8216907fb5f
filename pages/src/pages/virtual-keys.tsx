// Virtual keys: the arch_ tokens people and clients use. Owners see, reveal and revoke their
// own; admins see everyone's, mint keys for others and set members up for the Connect page.
import { useState } from "preact/hooks";
import type { ListOf, MemberView, VirtualKeyView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import { useResource } from "../lib/use-resource";
import { ConfirmDialog } from "../ui/confirm";
import { Modal, NoAccess } from "../ui/modal";
import { Card, PageHeader } from "../ui/page";
import { Empty, ErrorState, Loading, Notice } from "../ui/states";
import { ConnectionKeysForm, type ConnectionResult } from "./virtual-keys/connection-keys";
import { CreateKeyForm } from "./virtual-keys/create-key";
import { KeyFilters } from "./virtual-keys/filters";
import { KeyTable } from "./virtual-keys/key-table";
import { RevealKey } from "./virtual-keys/reveal-key";

type Dialog = "create" | "connection" | null;

export function VirtualKeysPage() {
  const { can } = useSession();
  return can("llmVirtualKey:read") ? (
    <VirtualKeysList />
  ) : (
    <NoAccess title="Virtual keys" permission="llmVirtualKey:read" />
  );
}

function VirtualKeysList() {
  const { user, can } = useSession();
  const admin = can("llmVirtualKey:admin");
  const listMembers = admin && can("member:read");
  const [owner, setOwner] = useState("");
  const [kind, setKind] = useState("");
  const [showRevoked, setShowRevoked] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [revealing, setRevealing] = useState<VirtualKeyView | null>(null);
  const [revoking, setRevoking] = useState<VirtualKeyView | null>(null);
  const [connected, setConnected] = useState<ConnectionResult | null>(null);

  const keys = useResource(
    () =>
      api.get<ListOf<VirtualKeyView>>("/virtual-keys", {
        ownerUserId: owner || undefined,
        kind: kind || undefined,
        includeRevoked: showRevoked ? "true" : undefined,
      }),
    [owner, kind, showRevoked],
  );
  const members = useResource(
    () => (listMembers ? api.get<ListOf<MemberView>>("/users") : Promise.resolve(null)),
    [listMembers],
  );
  const memberList = members.state === "ready" && members.data ? members.data.data : null;
  const filtered = owner !== "" || kind !== "";
  // With no keys at all the empty state carries the one "Create key" button.
  const noKeys = keys.state === "ready" && keys.data.data.length === 0 && !filtered && !showRevoked;

  const actions = (
    <>
      {admin && memberList ? (
        <button type="button" class="button secondary" onClick={() => setDialog("connection")}>
          Create Connection keys
        </button>
      ) : null}
      {can("llmVirtualKey:create") && keys.state !== "loading" && !noKeys ? (
        <button type="button" class="button primary" onClick={() => setDialog("create")}>
          Create key
        </button>
      ) : null}
    </>
  );

  return (
    <>
      <PageHeader
        title="Virtual keys"
        description={
          admin
            ? "The arch_ keys people and clients use with the LLM proxies. Revoking a key stops it at once."
            : "Your arch_ keys for the LLM proxies. Revoking a key stops it at once."
        }
        actions={actions}
      />
      {connected ? (
        <Notice tone="success">
          {connected.reused
            ? `${connected.member.name} (${connected.member.email}) already had Connection keys for ${connected.proxy.name}; they were kept.`
            : `Connection keys created for ${connected.member.name} (${connected.member.email}) on ${connected.proxy.name}.`}{" "}
          Their Claude Desktop download on the Connect page will now use these two keys.
        </Notice>
      ) : null}
      <Card>
        <KeyFilters
          members={memberList}
          owner={owner}
          onOwner={setOwner}
          kind={kind}
          onKind={setKind}
          showRevoked={showRevoked}
          onShowRevoked={setShowRevoked}
        />
        {keys.state === "loading" ? <Loading label="Loading virtual keys…" /> : null}
        {keys.state === "error" ? (
          <ErrorState message={keys.message} onRetry={keys.reload} />
        ) : null}
        {keys.state === "ready" && keys.data.data.length === 0 ? (
          <Empty
            title={filtered ? "No keys match these filters" : "No virtual keys yet"}
            action={
              noKeys && can("llmVirtualKey:create") ? (
                <button type="button" class="button primary" onClick={() => setDialog("create")}>
                  Create key
                </button>
              ) : null
            }
          >
            {filtered
              ? "Change the owner or kind to see more keys."
              : "Create a key for a script or client, or download a Claude Desktop profile from the Connect page, which makes its own pair of Connection keys."}
          </Empty>
        ) : null}
        {keys.state === "ready" && keys.data.data.length > 0 ? (
          <KeyTable
            keys={keys.data.data}
            userId={user.id}
            showOwner={admin}
            admin={admin}
            onReveal={setRevealing}
            onRevoke={setRevoking}
          />
        ) : null}
      </Card>

      <Modal
        open={dialog === "create"}
        title="Create a virtual key"
        onClose={() => setDialog(null)}
      >
        <CreateKeyForm
          members={memberList}
          onCreated={keys.reload}
          onClose={() => setDialog(null)}
        />
      </Modal>
      <Modal
        open={dialog === "connection"}
        title="Create Connection keys for a member"
        onClose={() => setDialog(null)}
      >
        <ConnectionKeysForm
          members={memberList ?? []}
          onClose={() => setDialog(null)}
          onDone={(result) => {
            setConnected(result);
            setDialog(null);
            keys.reload();
          }}
        />
      </Modal>
      <Modal open={revealing !== null} title="Your virtual key" onClose={() => setRevealing(null)}>
        {revealing ? <RevealKey vkey={revealing} onClose={() => setRevealing(null)} /> : null}
      </Modal>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this key?"
        confirmLabel="Revoke key"
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          await api.delete(`/virtual-keys/${revoking.id}`);
          keys.reload();
        }}
      >
        <p>
          <strong>{revoking?.name}</strong> ({revoking?.prefix}…) stops working at once: the next
          request made with it gets 401 Unauthorized. This cannot be undone.
        </p>
        {revoking?.connectionProxyId ? (
          <p class="muted">
            It is a Connection key: Claude Desktop profiles holding it stop working. A new profile
            download from the Connect page makes a fresh pair.
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
