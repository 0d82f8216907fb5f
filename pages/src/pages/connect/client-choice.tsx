// Step 1: which app the member wants to connect.
import type { JSX } from "preact";

function Icon(props: { children: JSX.Element | JSX.Element[] }) {
  return (
    <svg
      viewBox="0 0 24 24"
      width="20"
      height="20"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      {props.children}
    </svg>
  );
}

const ICONS: Record<string, () => JSX.Element> = {
  desktop: () => (
    <Icon>
      <rect x="3" y="4" width="18" height="12" rx="2" />
      <path d="M8 20h8M12 16v4" />
    </Icon>
  ),
  terminal: () => (
    <Icon>
      <rect x="3" y="4" width="18" height="16" rx="2" />
      <path d="m7 9 3 3-3 3M13 15h4" />
    </Icon>
  ),
  code: () => (
    <Icon>
      <path d="m8 7-5 5 5 5M16 7l5 5-5 5" />
    </Icon>
  ),
};

export type ClientId = "claude-desktop" | "claude-code" | "anthropic-client";

export const CLIENTS: { id: ClientId; name: string; blurb: string; icon: string }[] = [
  {
    id: "claude-desktop",
    name: "Claude Desktop",
    blurb: "The Claude app for Mac and Windows. Download a file and import it.",
    icon: "desktop",
  },
  {
    id: "claude-code",
    name: "Claude Code",
    blurb: "Anthropic's coding agent in your terminal. Paste a settings block.",
    icon: "terminal",
  },
  {
    id: "anthropic-client",
    name: "Any Anthropic client",
    blurb: "Your own scripts, SDKs and tools: a base URL, a key and two headers.",
    icon: "code",
  },
];

export function ClientChoice(props: { value: ClientId; onChange: (id: ClientId) => void }) {
  return (
    <fieldset class="connect-clients-set">
      <legend class="visually-hidden">Client</legend>
      <div class="choices connect-clients">
        {CLIENTS.map((c) => (
          <button
            key={c.id}
            type="button"
            class="choice"
            aria-pressed={props.value === c.id}
            aria-label={c.name}
            aria-describedby={`client-${c.id}-blurb`}
            onClick={() => props.onChange(c.id)}
          >
            <span class="connect-client-head">
              <span class="connect-client-icon">{ICONS[c.icon]?.()}</span>
              <strong>{c.name}</strong>
              <span class="connect-client-check" aria-hidden="true">
                ✓
              </span>
            </span>
            <small id={`client-${c.id}-blurb`}>{c.blurb}</small>
          </button>
        ))}
      </div>
    </fieldset>
  );
}
