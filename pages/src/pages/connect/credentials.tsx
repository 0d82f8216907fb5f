// The member's base URL, key and headers for Claude Code or any Anthropic client, and the
// pieces both panels share: masking, the "Show keys" toggle.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { ConnectionCredentials } from "../../../../shared/api-types";
import { MASK } from "../../../../shared/claude-desktop-profile";
import { api } from "../../lib/api";
import { type Problem, problemFrom } from "./problem";

export type CredentialsClient = "claude-code" | "anthropic-client";

export type CredentialsState =
  | { state: "loading" }
  | { state: "error"; problem: Problem }
  | { state: "ready"; data: ConnectionCredentials };

/** Fetches (and on first use, makes) the member's Connection keys for this proxy and client. */
export function useCredentials(proxyId: string, client: CredentialsClient) {
  const [value, setValue] = useState<CredentialsState>({ state: "loading" });
  const generation = useRef(0);
  const load = useCallback(() => {
    const mine = ++generation.current;
    setValue({ state: "loading" });
    api.post<ConnectionCredentials>("/connection-setups/credentials", { proxyId, client }).then(
      (data) => {
        if (mine === generation.current) setValue({ state: "ready", data });
      },
      (err: unknown) => {
        if (mine === generation.current) setValue({ state: "error", problem: problemFrom(err) });
      },
    );
  }, [proxyId, client]);
  useEffect(load, [load]);
  return { ...value, reload: load };
}

/** Header values that are secrets (the passthrough key) are masked until shown. */
export function isSecretHeader(name: string): boolean {
  return /key|token|auth|secret/i.test(name);
}

export function shownKey(key: string, shown: boolean): string {
  return shown ? key : MASK;
}

export function headerLines(headers: Record<string, string>, shown: boolean): string[] {
  return Object.entries(headers).map(
    ([name, value]) => `${name}: ${isSecretHeader(name) ? shownKey(value, shown) : value}`,
  );
}

export function ShowKeysToggle(props: { shown: boolean; onToggle: () => void }) {
  return (
    <button
      type="button"
      class="button secondary small connect-toggle"
      aria-pressed={props.shown}
      onClick={props.onToggle}
    >
      <svg
        viewBox="0 0 24 24"
        width="16"
        height="16"
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        aria-hidden="true"
      >
        <path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12Z" />
        <circle cx="12" cy="12" r="3" />
        {props.shown ? null : <path d="M4 4l16 16" />}
      </svg>
      Show keys
    </button>
  );
}
