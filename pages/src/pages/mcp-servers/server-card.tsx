// One upstream MCP server: where it is, how Gatehouse authenticates to it, its last connection
// test, and its tools with their switches.
import { useEffect, useState } from "preact/hooks";
import type { McpServerTestResult, McpServerView, McpToolView } from "../../../../shared/api-types";
import { api, errorMessage } from "../../lib/api";
import { formatRelative } from "../../lib/format";
import { Badge } from "../../ui/page";
import { EditDeleteButtons, ResourceCard } from "../../ui/resource-card";
import { Notice } from "../../ui/states";
import { describeAuth } from "./server-auth";
import { TestResultNotice, toolCount } from "./test-result";
import { ToolList } from "./tool-list";

function LastTest(props: { test: McpServerView["lastTest"] }) {
  const t = props.test;
  if (!t) return <span class="muted">Never tested</span>;
  return (
    <span>
      {t.ok ? <Badge tone="good">Passed</Badge> : <Badge tone="bad">Failed</Badge>}{" "}
      <span class="muted">{formatRelative(t.at)}</span>
      {t.error ? <span class="cell-sub mcp-test-error">{t.error}</span> : null}
    </span>
  );
}

export function ServerCard(props: {
  server: McpServerView;
  canEdit: boolean;
  canDelete: boolean;
  onEdit: () => void;
  onDelete: () => void;
  /** After a test or a tool switch: the page re-reads the list. */
  onChanged: () => void;
}) {
  const s = props.server;
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<McpServerTestResult | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const [tools, setTools] = useState<McpToolView[] | null>(null);
  // Switches flipped here show at once; a re-read list is the truth again.
  useEffect(() => setTools(null), [s]);
  const shown: McpServerView = tools ? { ...s, tools } : s;

  const test = async () => {
    setTesting(true);
    setTestError(null);
    setResult(null);
    try {
      const r = await api.post<McpServerTestResult>(`/mcp-servers/${s.id}/test`);
      setResult(r);
      setTools(null);
      props.onChanged();
    } catch (err) {
      setTestError(errorMessage(err));
    } finally {
      setTesting(false);
    }
  };
  const toolChanged = (tool: McpToolView) => {
    setTools(shown.tools.map((t) => (t.name === tool.name ? tool : t)));
  };

  return (
    <ResourceCard
      headingId={`mcp-server-${s.id}`}
      class="mcp-server-card"
      title={s.name}
      badges={s.lastTest && !s.lastTest.ok ? <Badge tone="bad">Unreachable</Badge> : null}
      actions={
        <>
          {props.canEdit ? (
            <button
              type="button"
              class="button secondary small"
              aria-label={`Test ${s.name}`}
              disabled={testing}
              onClick={() => void test()}
            >
              {testing ? "Testing…" : "Test connection"}
            </button>
          ) : null}
          <EditDeleteButtons
            name={s.name}
            canEdit={props.canEdit}
            canDelete={props.canDelete}
            onEdit={props.onEdit}
            onDelete={props.onDelete}
          />
        </>
      }
    >
      {s.description ? <p class="muted">{s.description}</p> : null}
      <dl class="details">
        <dt>URL</dt>
        <dd>
          <code class="mono url-text">{s.url}</code>
        </dd>
        <dt>Authentication</dt>
        <dd>{describeAuth(s.auth)}</dd>
        <dt>Timeout</dt>
        <dd>{Math.round(s.timeoutMs / 100) / 10} s</dd>
        <dt>Gateways</dt>
        <dd>
          {s.gatewayIds.length === 0
            ? "Not in any gateway yet"
            : `In ${s.gatewayIds.length} ${s.gatewayIds.length === 1 ? "gateway" : "gateways"}`}
        </dd>
        <dt>Last test</dt>
        <dd>
          <LastTest test={s.lastTest} />
        </dd>
      </dl>
      {result ? <TestResultNotice result={result} serverName={s.name} /> : null}
      {testError ? <Notice tone="error">{testError}</Notice> : null}
      <div class="stack mcp-tools-block">
        <h3>
          Tools <span class="muted">({toolCount(shown.tools.length)})</span>
        </h3>
        <ToolList server={shown} canEdit={props.canEdit} onChanged={toolChanged} />
      </div>
    </ResourceCard>
  );
}
