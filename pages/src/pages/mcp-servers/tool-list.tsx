// A server's tools as its last connection test saw them, each with its enabled switch. A
// disabled tool disappears from every gateway's tools/list and its calls are refused.
import { useState } from "preact/hooks";
import type { McpServerView, McpToolView } from "../../../../shared/api-types";
import { api, errorMessage } from "../../lib/api";
import { Notice } from "../../ui/states";

export function ToolList(props: {
  server: McpServerView;
  canEdit: boolean;
  onChanged: (tool: McpToolView) => void;
}) {
  const { server } = props;
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (server.tools.length === 0)
    return (
      <p class="muted">
        {server.lastTest?.ok
          ? "The server offers no tools."
          : "No tools seen yet: they are listed once a connection test succeeds."}
      </p>
    );
  const toggle = async (tool: McpToolView, enabled: boolean) => {
    setBusy(tool.name);
    setError(null);
    try {
      const saved = await api.patch<McpToolView>(
        `/mcp-servers/${server.id}/tools/${encodeURIComponent(tool.name)}`,
        { enabled },
      );
      props.onChanged(saved);
    } catch (err) {
      setError(`${tool.name}: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      <ul class="mcp-tools" aria-label={`Tools of ${server.name}`}>
        {server.tools.map((t) => (
          <li key={t.name} class={t.enabled ? "" : "mcp-tool-off"}>
            <label class="mcp-tool">
              <input
                type="checkbox"
                role="switch"
                aria-checked={t.enabled}
                checked={t.enabled}
                disabled={!props.canEdit || busy !== null}
                aria-label={`${t.name} enabled`}
                onChange={(e) => void toggle(t, e.currentTarget.checked)}
              />
              <span class="mcp-tool-text">
                <code>
                  {server.name}__{t.name}
                </code>
                {t.description ? <small class="muted">{t.description}</small> : null}
              </span>
              <span class="mcp-tool-state">{t.enabled ? "Enabled" : "Disabled"}</span>
            </label>
          </li>
        ))}
      </ul>
      {error ? <Notice tone="error">{error}</Notice> : null}
    </>
  );
}
