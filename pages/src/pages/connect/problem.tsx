// What stands in the way of a working connection, said so a member knows who can fix it.
import { ApiError, errorMessage } from "../../lib/api";
import { useSession } from "../../lib/session";

export type ProblemKind = "no-proxy" | "no-provider-key" | "forbidden" | "gateway" | "other";

export interface Problem {
  kind: ProblemKind;
  /** The gateway's own words, shown in small text under ours (absent for problems we saw first). */
  detail?: string;
}

/** Sorts a failed call to a connection endpoint into something a member can act on. */
export function problemFrom(err: unknown): Problem {
  const detail = errorMessage(err);
  if (err instanceof ApiError) {
    // The chosen MCP gateway went away or is not open to this person (team, account).
    if ((err.status === 403 || err.status === 404) && /MCP gateway/.test(detail)) {
      return { kind: "gateway", detail };
    }
    if (err.status === 404) return { kind: "no-proxy", detail };
    if (err.status === 409) return { kind: "no-provider-key", detail };
    if (err.status === 403) return { kind: "forbidden", detail };
  }
  return { kind: "other", detail };
}

const TITLES: Record<ProblemKind, string> = {
  "no-proxy": "No LLM proxy yet",
  "no-provider-key": "This LLM proxy has no provider key",
  forbidden: "You need an admin's help",
  gateway: "This MCP gateway is not available to you",
  other: "Your configuration could not be made",
};

function Explanation(props: { problem: Problem }) {
  const { can } = useSession();
  switch (props.problem.kind) {
    case "no-proxy":
      return (
        <>
          <p>There is no LLM proxy yet — an admin creates one on the LLM proxies page.</p>
          {can("llmProxy:create") ? (
            <p>
              <a href="/llm-proxies">Create an LLM proxy</a>
            </p>
          ) : (
            <p>Ask an admin to create one, then come back here.</p>
          )}
        </>
      );
    case "no-provider-key":
      return (
        <>
          <p>
            Model calls need an Anthropic provider key behind the proxy. An admin must add an
            Anthropic provider key and attach it to this LLM proxy.
          </p>
          {can("providerKey:create") ? (
            <p class="row">
              <a href="/provider-keys">Add a provider key</a>
              <a href="/llm-proxies">Attach it to the proxy</a>
            </p>
          ) : (
            <p>Ask an admin to do this, then come back here.</p>
          )}
        </>
      );
    case "forbidden":
      return (
        <p>
          You can't create keys yourself (llmVirtualKey:create). Ask an admin to grant it, or to
          create your two Connection keys for you on the Virtual keys page; your download will use
          them.
        </p>
      );
    case "gateway":
      return (
        <p>
          Choose another MCP gateway, or "None" for inference only. An admin can open this one to
          you by adding you to one of its teams.
        </p>
      );
    default:
      return <p>Something went wrong on the way. Try again; if it keeps failing, tell an admin.</p>;
  }
}

/** The problem, who can fix it, the gateway's words in small print, and a way to try again. */
export function ConnectionProblem(props: {
  problem: Problem;
  onRetry?: () => void;
  retryLabel?: string;
}) {
  const { problem } = props;
  return (
    <div
      class={`notice ${problem.kind === "other" ? "error" : "warning"} connect-problem`}
      role="alert"
    >
      <p class="connect-problem-title">{TITLES[problem.kind]}</p>
      <Explanation problem={problem} />
      {problem.detail ? (
        <p class="connect-problem-detail">Gatehouse said: {problem.detail}</p>
      ) : null}
      {props.onRetry ? (
        <div>
          <button type="button" class="button secondary small" onClick={props.onRetry}>
            {props.retryLabel ?? "Try again"}
          </button>
        </div>
      ) : null}
    </div>
  );
}
