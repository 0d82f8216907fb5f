// Connect: a member picks their client, checks what the connection is made of, and gets a
// ready-made configuration (a Claude Desktop file, Claude Code settings, or raw credentials).
import "./connect.css";
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { ListOf, LlmProxyView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { useResource } from "../lib/use-resource";
import { PageHeader } from "../ui/page";
import { ErrorState, Loading } from "../ui/states";
import { AnthropicClientPanel } from "./connect/anthropic-client";
import { ClaudeCodePanel } from "./connect/claude-code";
import { ClaudeDesktopPanel } from "./connect/claude-desktop";
import { CLIENTS, ClientChoice, type ClientId } from "./connect/client-choice";
import { McpGatewayChoiceProvider } from "./connect/mcp-gateway-choice";
import { ConnectionProblem } from "./connect/problem";
import { SetupReview } from "./connect/setup-review";

function Step(props: {
  n: number;
  title: string;
  lead?: ComponentChildren;
  children: ComponentChildren;
}) {
  const id = `connect-step-${props.n}`;
  return (
    <li class="connect-step">
      <span class="connect-step-marker" aria-hidden="true">
        {props.n}
      </span>
      <section class="card connect-step-card" aria-labelledby={id}>
        <header class="connect-step-head">
          <span class="connect-step-num" aria-hidden="true">
            {props.n}
          </span>
          <div>
            <h2 id={id}>{props.title}</h2>
            {props.lead ? <p class="muted connect-step-lead">{props.lead}</p> : null}
          </div>
        </header>
        {props.children}
      </section>
    </li>
  );
}

function pickProxy(proxies: LlmProxyView[], chosen: string | null): LlmProxyView | null {
  return (
    proxies.find((p) => p.id === chosen) ?? proxies.find((p) => p.isDefault) ?? proxies[0] ?? null
  );
}

export function ConnectPage() {
  const proxies = useResource(() => api.get<ListOf<LlmProxyView>>("/llm-proxies"));
  const [client, setClient] = useState<ClientId>("claude-desktop");
  const [chosen, setChosen] = useState<string | null>(null);
  const list = proxies.state === "ready" ? proxies.data.data : [];
  const proxy = pickProxy(list, chosen);
  const clientName = CLIENTS.find((c) => c.id === client)?.name ?? "";
  const forClient = client === "anthropic-client" ? "any Anthropic client" : clientName;

  let configuration: ComponentChildren;
  if (proxies.state === "loading") {
    configuration = <Loading label="Checking the setup…" />;
  } else if (proxies.state === "error") {
    configuration = (
      <p class="muted">Your configuration appears here once the setup above has loaded.</p>
    );
  } else if (!proxy) {
    configuration = (
      <ConnectionProblem
        problem={{ kind: "no-proxy" }}
        onRetry={proxies.reload}
        retryLabel="Check again"
      />
    );
  } else if (proxy.providerKeyId === null) {
    configuration = (
      <ConnectionProblem
        problem={{ kind: "no-provider-key" }}
        onRetry={proxies.reload}
        retryLabel="Check again"
      />
    );
  } else if (client === "claude-desktop") {
    configuration = <ClaudeDesktopPanel proxy={proxy} onProxyGone={proxies.reload} />;
  } else if (client === "claude-code") {
    configuration = <ClaudeCodePanel proxy={proxy} onProxyGone={proxies.reload} />;
  } else {
    configuration = <AnthropicClientPanel proxy={proxy} onProxyGone={proxies.reload} />;
  }

  return (
    <McpGatewayChoiceProvider>
      <PageHeader
        title="Connect"
        description="Use Claude through Gatehouse in three steps. Your model calls are then attributed to you and kept within your budgets."
      />
      <ol class="connect-flow">
        <Step n={1} title="Choose your client" lead="Which app do you want to connect?">
          <ClientChoice value={client} onChange={setClient} />
        </Step>
        <Step n={2} title="Review the setup" lead="What your connection is made of.">
          {proxies.state === "loading" ? <Loading label="Loading LLM proxies…" /> : null}
          {proxies.state === "error" ? (
            <ErrorState message={proxies.message} onRetry={proxies.reload} />
          ) : null}
          {proxies.state === "ready" ? (
            <SetupReview proxies={list} selected={proxy} onSelect={setChosen} />
          ) : null}
        </Step>
        <Step n={3} title="Get your configuration" lead={`For ${forClient}.`}>
          {configuration}
        </Step>
      </ol>
    </McpGatewayChoiceProvider>
  );
}
