// A connection test's outcome: the tools found, or the server's problem in plain words.
import type { McpServerTestResult } from "../../../../shared/api-types";
import { Notice } from "../../ui/states";

export function toolCount(n: number): string {
  return `${n} ${n === 1 ? "tool" : "tools"}`;
}

export function TestResultNotice(props: { result: McpServerTestResult; serverName: string }) {
  const { result } = props;
  if (!result.ok)
    return (
      <Notice tone="error">
        <strong>Connection test failed for {props.serverName}:</strong>{" "}
        <span class="mcp-test-error">
          {result.error ?? "the server did not answer as expected."}
        </span>{" "}
        Check the URL and the credential, then test again.
      </Notice>
    );
  return (
    <Notice tone="success">
      <strong>Connection test passed for {props.serverName}</strong> in {result.durationMs} ms:{" "}
      {result.tools.length === 0
        ? "it offers no tools."
        : `found ${toolCount(result.tools.length)}: ${result.tools.map((t) => t.name).join(", ")}.`}
    </Notice>
  );
}
