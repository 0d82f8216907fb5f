// One LLM proxy: what it serves, with which key, and the URL clients point at.
import type { LlmProxyView, ProviderKeyView } from "../../../../shared/api-types";
import { CopyButton } from "../../ui/copy-button";
import { Badge } from "../../ui/page";
import { EditDeleteButtons, ResourceCard } from "../../ui/resource-card";

function providerName(provider: string) {
  return provider === "anthropic" ? "Anthropic" : provider;
}

function KeyName(props: { id: string | null; keys: ProviderKeyView[] | null }) {
  if (!props.id)
    return (
      <span>
        <Badge tone="warn">None</Badge>{" "}
        <span class="muted">Only passthrough traffic works until one is attached.</span>
      </span>
    );
  if (!props.keys) return <span class="muted">Attached</span>;
  const key = props.keys.find((k) => k.id === props.id);
  if (!key) return <span class="muted">Unknown key</span>;
  return (
    <span>
      {key.name} <code class="mono muted">••••{key.secretLast4}</code>
    </span>
  );
}

export function ProxyCard(props: {
  proxy: LlmProxyView;
  providerKeys: ProviderKeyView[] | null;
  canEdit: boolean;
  canDelete: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const p = props.proxy;
  return (
    <ResourceCard
      headingId={`proxy-${p.id}`}
      class="proxy-card"
      title={p.name}
      badges={p.isDefault ? <Badge tone="info">Default</Badge> : null}
      actions={
        props.canEdit || props.canDelete ? (
          <EditDeleteButtons
            name={p.name}
            canEdit={props.canEdit}
            canDelete={props.canDelete}
            onEdit={props.onEdit}
            onDelete={props.onDelete}
          />
        ) : null
      }
    >
      <dl class="details">
        <dt>Provider</dt>
        <dd>{providerName(p.provider)}</dd>
        <dt>Provider key</dt>
        <dd>
          <KeyName id={p.providerKeyId} keys={props.providerKeys} />
        </dd>
        <dt>Models</dt>
        <dd>
          {p.allowedModels?.length ? (
            <span class="chip-list">
              {p.allowedModels.map((m) => (
                <code key={m}>{m}</code>
              ))}
            </span>
          ) : (
            "All models"
          )}
        </dd>
        <dt>Anonymous traffic</dt>
        <dd>{p.allowAnonymous ? <Badge tone="warn">Allowed</Badge> : <Badge>Off</Badge>}</dd>
        <dt>URL for clients</dt>
        <dd class="url-cell">
          <code class="mono url-value">{p.baseUrl}</code>
          <CopyButton text={p.baseUrl} label="Copy URL" />
        </dd>
      </dl>
    </ResourceCard>
  );
}
