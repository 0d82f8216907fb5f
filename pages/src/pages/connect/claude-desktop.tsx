// Step 3 for Claude Desktop: preview the profile (keys hidden) or download the real file.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ClaudeDesktopDownload, LlmProxyView } from "../../../../shared/api-types";
import type { ClaudeDesktopProfile } from "../../../../shared/claude-desktop-profile";
import { api } from "../../lib/api";
import { CodeBlock } from "../../ui/code-block";
import { Notice } from "../../ui/states";
import { DesktopImportSteps } from "./desktop-steps";
import { useMcpGatewayChoice } from "./mcp-gateway-choice";
import { ConnectionProblem, type Problem, problemFrom } from "./problem";

type Download = ClaudeDesktopDownload<ClaudeDesktopProfile>;
type Action = "preview" | "download";

/**
 * Hands the profile to the browser as a file, named exactly as the gateway named it. The
 * content is JSON, but a Blob typed application/json makes Chromium append ".json" to a name
 * without an extension; the profile's name has none, so the Blob is typed as plain bytes.
 */
function saveFile(download: Download) {
  const blob = new Blob([download.content], { type: "application/octet-stream" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = download.fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

function Spinner() {
  return <span class="connect-spinner" aria-hidden="true" />;
}

export function ClaudeDesktopPanel(props: { proxy: LlmProxyView; onProxyGone: () => void }) {
  const { proxy } = props;
  const [busy, setBusy] = useState<Action | null>(null);
  const [failure, setFailure] = useState<{ problem: Problem; action: Action } | null>(null);
  const [preview, setPreview] = useState<Download | null>(null);
  const [downloaded, setDownloaded] = useState<Download | null>(null);
  const mcpGatewayId = useMcpGatewayChoice().selected?.id ?? null;
  // What the shown file was made of: a change of proxy or gateway makes it stale.
  const setupKey = `${proxy.id}/${mcpGatewayId ?? ""}`;
  const current = useRef(setupKey);

  useEffect(() => {
    current.current = setupKey;
    setPreview(null);
    setDownloaded(null);
    setFailure(null);
  }, [setupKey]);

  const run = async (action: Action) => {
    const proxyId = proxy.id;
    const made = setupKey;
    setBusy(action);
    setFailure(null);
    try {
      const result = await api.post<Download>("/connection-setups/claude-desktop", {
        proxyId,
        ...(mcpGatewayId ? { mcpGatewayId } : {}),
      });
      if (current.current !== made) return;
      if (action === "preview") {
        setPreview(result);
      } else {
        saveFile(result);
        setDownloaded(result);
      }
    } catch (err) {
      if (current.current !== made) return;
      setFailure({ problem: problemFrom(err), action });
    } finally {
      setBusy(null);
    }
  };

  const profile = downloaded?.profile ?? preview?.profile;
  const connector = profile?.mcp?.managedServers[0]?.name ?? null;
  const retry = () => {
    if (!failure) return;
    // The proxy may have gone: re-read the list too, so the page shows what is there now.
    if (failure.problem.kind === "no-proxy") props.onProxyGone();
    void run(failure.action);
  };

  return (
    <div class="stack">
      <p>
        Claude Desktop reads a configuration file that points it at Gatehouse with your two keys.
        Preview it first if you like, then download it and import it.
      </p>
      <div class="row connect-actions">
        <button
          type="button"
          class="button secondary"
          disabled={busy !== null}
          aria-busy={busy === "preview"}
          onClick={() => void run("preview")}
        >
          {busy === "preview" ? <Spinner /> : null}
          Preview configuration
        </button>
        <button
          type="button"
          class="button primary"
          disabled={busy !== null}
          aria-busy={busy === "download"}
          onClick={() => void run("download")}
        >
          {busy === "download" ? <Spinner /> : null}
          Download configuration
        </button>
      </div>
      {failure ? <ConnectionProblem problem={failure.problem} onRetry={retry} /> : null}
      {downloaded ? (
        <Notice tone="success">
          <strong>Downloaded.</strong> Your configuration is saved as{" "}
          <code class="connect-file">{downloaded.fileName}</code>. Now import it with the steps
          below.
        </Notice>
      ) : null}
      {downloaded && !preview ? <Notice tone="warning">{downloaded.warning}</Notice> : null}
      {preview ? (
        <section class="connect-preview" aria-label="Configuration preview">
          <Notice tone="warning">
            <strong>Keep the real file private.</strong> {preview.warning}
          </Notice>
          <CodeBlock
            label="Claude Desktop configuration — keys hidden"
            code={JSON.stringify(preview.preview, null, 2)}
          />
          <div>
            <button type="button" class="button ghost small" onClick={() => setPreview(null)}>
              Hide preview
            </button>
          </div>
        </section>
      ) : null}
      <DesktopImportSteps fileName={downloaded?.fileName ?? null} mcpConnector={connector} />
    </div>
  );
}
