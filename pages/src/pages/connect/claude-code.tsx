// Step 3 for Claude Code: the env block for ~/.claude/settings.json, and the command that adds
// the chosen MCP gateway's tools.
import { useState } from "preact/hooks";
import type { ConnectionCredentials, LlmProxyView } from "../../../../shared/api-types";
import { CodeBlock } from "../../ui/code-block";
import { Loading, Notice } from "../../ui/states";
import { headerLines, ShowKeysToggle, shownKey, useCredentials } from "./credentials";
import { claudeMcpAddCommand, useMcpGatewayChoice } from "./mcp-gateway-choice";
import { ConnectionProblem } from "./problem";

export function claudeCodeSettings(c: ConnectionCredentials, shown: boolean): string {
  const settings = {
    env: {
      ANTHROPIC_BASE_URL: c.baseUrl,
      ANTHROPIC_AUTH_TOKEN: shownKey(c.apiKey, shown),
      ANTHROPIC_CUSTOM_HEADERS: headerLines(c.headers, shown).join("\n"),
    },
  };
  return JSON.stringify(settings, null, 2);
}

export function ClaudeCodePanel(props: { proxy: LlmProxyView; onProxyGone: () => void }) {
  const creds = useCredentials(props.proxy.id, "claude-code");
  const [shown, setShown] = useState(false);
  if (creds.state === "loading") return <Loading label="Preparing your settings…" />;
  if (creds.state === "error") {
    const gone = creds.problem.kind === "no-proxy";
    const retry = () => {
      if (gone) props.onProxyGone();
      creds.reload();
    };
    return <ConnectionProblem problem={creds.problem} onRetry={retry} />;
  }
  return (
    <div class="stack">
      <p>
        Put this in <code>~/.claude/settings.json</code> (create the file if it is not there; if it
        is, add these three lines to its <code>env</code> block). Claude Code then sends every
        request through Gatehouse. Restart Claude Code to pick it up.
      </p>
      <div class="row connect-toolbar">
        <ShowKeysToggle shown={shown} onToggle={() => setShown(!shown)} />
        <span class="muted connect-small">Copy always copies the real keys.</span>
      </div>
      <CodeBlock
        label="~/.claude/settings.json"
        code={claudeCodeSettings(creds.data, shown)}
        copyText={claudeCodeSettings(creds.data, true)}
      />
      <ClaudeCodeTools />
    </div>
  );
}

function ClaudeCodeTools() {
  const { gateways, selected } = useMcpGatewayChoice();
  if (selected) {
    const command = claudeMcpAddCommand(selected);
    return (
      <div class="stack">
        <p>
          Then add the tools of <strong>{selected.name}</strong>: run this once in a terminal. In
          Claude Code, <code>/mcp</code> shows it; choose <em>Authenticate</em> and allow it in the
          browser page Gatehouse opens.
        </p>
        <CodeBlock label="Add the MCP tools" code={command} copyText={command} />
      </div>
    );
  }
  const some = gateways.state === "ready" && gateways.data.length > 0;
  return (
    <Notice tone="info">
      <strong>MCP tools:</strong>{" "}
      {some ? (
        <>
          choose an MCP gateway in step 2 to get the{" "}
          <code>claude mcp add --transport http archestra-mcp-&lt;slug&gt; &lt;url&gt;</code>{" "}
          command that adds its tools to Claude Code.
        </>
      ) : (
        <>
          once an admin creates an MCP gateway you may use, the{" "}
          <code>claude mcp add --transport http archestra-mcp-&lt;slug&gt; &lt;url&gt;</code>{" "}
          command that adds its tools to Claude Code will appear here.
        </>
      )}
    </Notice>
  );
}
