// Step 3 for any Anthropic client: base URL, API key, the two headers, and a curl to try.
import { useState } from "preact/hooks";
import type { ConnectionCredentials, LlmProxyView } from "../../../../shared/api-types";
import { CodeBlock } from "../../ui/code-block";
import { CopyButton } from "../../ui/copy-button";
import { Loading } from "../../ui/states";
import { headerLines, ShowKeysToggle, shownKey, useCredentials } from "./credentials";
import { useMcpGatewayChoice } from "./mcp-gateway-choice";
import { ConnectionProblem } from "./problem";

export function curlExample(c: ConnectionCredentials, shown: boolean): string {
  const body = JSON.stringify({
    model: "claude-sonnet-4-5",
    max_tokens: 16,
    messages: [{ role: "user", content: "Say hello" }],
  });
  const lines = [
    `curl ${c.baseUrl}/v1/messages`,
    `-H "x-api-key: ${shownKey(c.apiKey, shown)}"`,
    `-H "anthropic-version: 2023-06-01"`,
    `-H "content-type: application/json"`,
    ...headerLines(c.headers, shown).map((h) => `-H "${h}"`),
    `-d '${body}'`,
  ];
  return lines.join(" \\\n  ");
}

export function AnthropicClientPanel(props: { proxy: LlmProxyView; onProxyGone: () => void }) {
  const creds = useCredentials(props.proxy.id, "anthropic-client");
  const [shown, setShown] = useState(false);
  const gateway = useMcpGatewayChoice().selected;
  if (creds.state === "loading") return <Loading label="Preparing your credentials…" />;
  if (creds.state === "error") {
    const gone = creds.problem.kind === "no-proxy";
    const retry = () => {
      if (gone) props.onProxyGone();
      creds.reload();
    };
    return <ConnectionProblem problem={creds.problem} onRetry={retry} />;
  }
  const c = creds.data;
  return (
    <div class="stack">
      <p>
        Any tool that speaks Anthropic's Messages API works: set its base URL and API key, and have
        it send the two headers on every request.
      </p>
      <div class="row connect-toolbar">
        <ShowKeysToggle shown={shown} onToggle={() => setShown(!shown)} />
        <span class="muted connect-small">Copy always copies the real keys.</span>
      </div>
      <dl class="connect-creds">
        <div>
          <dt>Base URL</dt>
          <dd>
            <code>{c.baseUrl}</code>
            <CopyButton text={c.baseUrl} label="Copy URL" />
          </dd>
        </div>
        <div>
          <dt>API key</dt>
          <dd>
            <code>{shownKey(c.apiKey, shown)}</code>
            <CopyButton text={c.apiKey} label="Copy key" />
          </dd>
        </div>
        {gateway ? (
          <div>
            <dt>MCP server URL</dt>
            <dd>
              <code>{gateway.url}</code>
              <CopyButton text={gateway.url} label="Copy MCP URL" />
            </dd>
          </div>
        ) : null}
      </dl>
      {gateway ? (
        <p class="muted connect-small">
          MCP clients that support OAuth (Streamable HTTP) connect to the MCP server URL and ask you
          to allow them in the browser; their tool calls are then made as you.
        </p>
      ) : null}
      <CodeBlock
        label="Headers"
        code={headerLines(c.headers, shown).join("\n")}
        copyText={headerLines(c.headers, true).join("\n")}
      />
      <CodeBlock
        label="Try it with curl"
        code={curlExample(c, shown)}
        copyText={curlExample(c, true)}
      />
    </div>
  );
}
