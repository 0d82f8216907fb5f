// Step 2: what the connection is made of — the LLM proxy, the MCP gateway (if any), the keys.
import type { LlmProxyView } from "../../../../shared/api-types";
import { Badge } from "../../ui/page";
import { McpGatewayReview } from "./mcp-gateway-review";

function ProxyPicker(props: {
  proxies: LlmProxyView[];
  selected: LlmProxyView;
  onSelect: (id: string) => void;
}) {
  if (props.proxies.length === 1) {
    return (
      <p class="connect-proxy-name">
        <strong>{props.selected.name}</strong> <ProxyBadges proxy={props.selected} />
      </p>
    );
  }
  return (
    <div class="connect-proxy-pick">
      <label for="connect-proxy" class="visually-hidden">
        LLM proxy
      </label>
      <select
        id="connect-proxy"
        class="input"
        value={props.selected.id}
        onChange={(e) => props.onSelect(e.currentTarget.value)}
      >
        {props.proxies.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
            {p.isDefault ? " (default)" : ""}
            {p.providerKeyId === null ? " — no provider key" : ""}
          </option>
        ))}
      </select>
      <ProxyBadges proxy={props.selected} />
    </div>
  );
}

function ProxyBadges(props: { proxy: LlmProxyView }) {
  return (
    <span class="connect-badges">
      {props.proxy.isDefault ? <Badge tone="info">Default</Badge> : null}
      {props.proxy.providerKeyId === null ? <Badge tone="warn">No provider key</Badge> : null}
    </span>
  );
}

export function SetupReview(props: {
  proxies: LlmProxyView[];
  selected: LlmProxyView | null;
  onSelect: (id: string) => void;
}) {
  const { selected } = props;
  return (
    <dl class="connect-review">
      <div class="connect-review-item">
        <dt id="connect-proxy-term">LLM proxy</dt>
        <dd>
          {selected ? (
            <ProxyPicker proxies={props.proxies} selected={selected} onSelect={props.onSelect} />
          ) : (
            <p class="connect-proxy-name">
              <strong>None yet</strong> <Badge tone="warn">Needs an admin</Badge>
            </p>
          )}
          <p class="muted">
            Your model calls go through Gatehouse on this proxy: each one is attributed to you and
            counted against your budgets.
          </p>
        </dd>
      </div>
      <div class="connect-review-item">
        <dt>Tools</dt>
        <dd>
          <McpGatewayReview />
        </dd>
      </div>
      <div class="connect-review-item">
        <dt>Keys</dt>
        <dd>
          <p>
            <strong>Two personal keys</strong>, made for you once and reused on every download.
          </p>
          <p class="muted">
            A setup key lets your client call the proxy; a passthrough key says who you are, so
            usage lands on your name.
          </p>
        </dd>
      </div>
    </dl>
  );
}
