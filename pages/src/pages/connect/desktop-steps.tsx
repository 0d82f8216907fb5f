// How to import the downloaded profile, in Claude Desktop's own words.
import type { ComponentChildren } from "preact";

function Ui(props: { children: ComponentChildren }) {
  return <span class="ui-label">{props.children}</span>;
}

const Then = () => <span class="connect-arrow"> → </span>;

export function DesktopImportSteps(props: {
  fileName: string | null;
  mcpConnector: string | null;
}) {
  return (
    <section class="connect-import" aria-labelledby="connect-import-title">
      <h3 id="connect-import-title">Import it into Claude Desktop</h3>
      <ol class="steps">
        <li>
          <span>
            Open <Ui>Help</Ui>
            <Then />
            <Ui>Troubleshooting</Ui>
            <Then />
            <Ui>Enable Developer Mode</Ui>.
          </span>
        </li>
        <li>
          <span>
            Open <Ui>Developer</Ui>
            <Then />
            <Ui>Configure Third-Party Inference…</Ui>.
          </span>
        </li>
        <li>
          <span>
            Under <Ui>Default</Ui>, choose <Ui>Import configuration…</Ui> and pick the file you
            downloaded
            {props.fileName ? (
              <>
                {" "}
                (<code class="connect-file">{props.fileName}</code>)
              </>
            ) : null}
            .
          </span>
        </li>
        <li>
          <span>
            Click <Ui>Test connection</Ui>.
          </span>
        </li>
        <li>
          <span>
            Click <Ui>Apply Changes</Ui>.
          </span>
        </li>
        <li>
          <span>
            Click <Ui>Relaunch now</Ui>. Then delete the downloaded file.
          </span>
        </li>
        {props.mcpConnector ? (
          <li>
            <span>
              Open <Ui>Settings</Ui>
              <Then />
              <Ui>Connectors</Ui> and click <Ui>Connect</Ui> next to{" "}
              <code>{props.mcpConnector}</code>.
            </span>
          </li>
        ) : null}
      </ol>
    </section>
  );
}
