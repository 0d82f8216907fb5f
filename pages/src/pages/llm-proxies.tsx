// LLM proxies: the entry points clients use, each bound to a provider key, with an optional
// model allow-list. One is the default, served when a client names no proxy.
import { useState } from "preact/hooks";
import type { ListOf, LlmProxyView, ProviderKeyView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import { useResource } from "../lib/use-resource";
import { ConfirmDialog } from "../ui/confirm";
import { Modal, NoAccess } from "../ui/modal";
import { Card, PageHeader } from "../ui/page";
import { Empty, ErrorState, Loading, Notice } from "../ui/states";
import { ProxyCard } from "./llm-proxies/proxy-card";
import { ProxyForm } from "./llm-proxies/proxy-form";

type Editing = { proxy: LlmProxyView | null } | null;

export function LlmProxiesPage() {
  const { can } = useSession();
  return can("llmProxy:read") ? (
    <LlmProxiesList />
  ) : (
    <NoAccess title="LLM proxies" permission="llmProxy:read" />
  );
}

function LlmProxiesList() {
  const { can } = useSession();
  const readKeys = can("providerKey:read");
  const proxies = useResource(() => api.get<ListOf<LlmProxyView>>("/llm-proxies"));
  const keys = useResource(
    () => (readKeys ? api.get<ListOf<ProviderKeyView>>("/provider-keys") : Promise.resolve(null)),
    [readKeys],
  );
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<LlmProxyView | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const keyList = keys.state === "ready" && keys.data ? keys.data.data : null;
  // Known to be empty only when the caller may list provider keys and there are none.
  const noProviderKeys = keyList !== null && keyList.length === 0;
  const canCreate = can("llmProxy:create");
  const openCreate = () => setEditing({ proxy: null });

  const addKeyFirst = (
    <Notice tone="info">
      There are no provider keys yet. <a href="/provider-keys">Add a provider key</a> first: a proxy
      needs one to serve standard virtual keys.
    </Notice>
  );

  let body = null;
  if (proxies.state === "loading" || keys.state === "loading")
    body = <Loading label="Loading LLM proxies…" />;
  else if (proxies.state === "error")
    body = <ErrorState message={proxies.message} onRetry={proxies.reload} />;
  else if (proxies.data.data.length === 0)
    body = (
      <Card>
        {noProviderKeys ? (
          <Empty
            title="Add a provider key first"
            action={
              can("providerKey:create") ? (
                <a class="button primary" href="/provider-keys">
                  Go to Provider keys
                </a>
              ) : null
            }
          >
            An LLM proxy sends requests upstream with one of the organisation's provider keys, and
            there are none yet. <a href="/provider-keys">Add a provider key</a>, then come back to
            create the proxy.
          </Empty>
        ) : (
          <Empty
            title="No LLM proxies yet"
            action={
              canCreate ? (
                <button type="button" class="button primary" onClick={openCreate}>
                  Create proxy
                </button>
              ) : null
            }
          >
            A proxy is the URL clients such as Claude Desktop send their requests to.
            {canCreate ? "" : " Ask an admin to create one."}
          </Empty>
        )}
      </Card>
    );
  else
    body = (
      <div class="card-list">
        {noProviderKeys ? addKeyFirst : null}
        {keys.state === "error" ? (
          <Notice tone="warning">Provider key names could not be loaded: {keys.message}</Notice>
        ) : null}
        {proxies.data.data.map((p) => (
          <ProxyCard
            key={p.id}
            proxy={p}
            providerKeys={keyList}
            canEdit={can("llmProxy:update")}
            canDelete={can("llmProxy:delete")}
            onEdit={() => setEditing({ proxy: p })}
            onDelete={() => setDeleting(p)}
          />
        ))}
      </div>
    );

  return (
    <>
      <PageHeader
        title="LLM proxies"
        description="The URLs clients send their Anthropic requests to. Each proxy uses a provider key and may limit the models it serves; the default proxy also answers at the gateway's plain Anthropic URL."
        actions={
          // With no proxies the empty state carries the one call to action.
          canCreate && proxies.state === "ready" && proxies.data.data.length > 0 ? (
            <button type="button" class="button primary" onClick={openCreate}>
              Create proxy
            </button>
          ) : null
        }
      />
      {saved ? <Notice tone="success">{saved}</Notice> : null}
      {body}
      <Modal
        open={editing !== null}
        title={editing?.proxy ? `Edit ${editing.proxy.name}` : "Create an LLM proxy"}
        onClose={() => setEditing(null)}
      >
        <ProxyForm
          proxy={editing?.proxy ?? null}
          providerKeys={keyList}
          onClose={() => setEditing(null)}
          onSaved={(p) => {
            setSaved(
              editing?.proxy
                ? `Saved ${p.name}.`
                : `Created ${p.name}. Clients can use ${p.baseUrl}.`,
            );
            setEditing(null);
            proxies.reload();
          }}
        />
      </Modal>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this proxy?"
        confirmLabel="Delete proxy"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.delete(`/llm-proxies/${deleting.id}`);
          setSaved(`Deleted ${deleting.name}.`);
          proxies.reload();
        }}
      >
        <p>
          Clients using <strong>{deleting?.name}</strong> stop working, and the Connection keys made
          for it are revoked.
          {deleting?.isDefault ? " The oldest remaining proxy becomes the default." : ""}
        </p>
      </ConfirmDialog>
    </>
  );
}
