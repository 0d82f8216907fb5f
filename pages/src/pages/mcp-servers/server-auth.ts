// An upstream MCP server's credential as the form edits it: none, a bearer token, or static
// headers. On edit an empty secret keeps the stored one (the API never sends it back).
import type { McpServerAuthView } from "../../../../shared/api-types";

export type AuthKind = McpServerAuthView["kind"];

export type AuthInput =
  | { kind: "none" }
  | { kind: "bearer"; token: string }
  | { kind: "headers"; headers: Record<string, string> };

export const AUTH_KINDS: { kind: AuthKind; label: string }[] = [
  { kind: "none", label: "None" },
  { kind: "bearer", label: "Bearer token" },
  { kind: "headers", label: "Custom headers" },
];

/** "Name: value" lines (blank lines ignored) → headers, or a message naming the bad line. */
export function parseHeaders(
  text: string,
): { ok: true; headers: Record<string, string> } | { ok: false; error: string } {
  const headers: Record<string, string> = {};
  const lines = text.split("\n").map((l) => l.trim());
  for (const [i, line] of lines.entries()) {
    if (!line) continue;
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    const value = colon > 0 ? line.slice(colon + 1).trim() : "";
    if (!name || !value) return { ok: false, error: `Line ${i + 1}: write it as Name: value.` };
    headers[name] = value;
  }
  return { ok: true, headers };
}

/**
 * The `auth` to send, or none to keep what is stored (edit only), or a message for the form.
 * `current` is the stored credential's description when editing, null when creating.
 */
export function authToSend(
  kind: AuthKind,
  token: string,
  headersText: string,
  current: McpServerAuthView | null,
): { auth?: AuthInput } | { error: string } {
  const keep = current?.kind === kind;
  if (kind === "none") return keep ? {} : { auth: { kind: "none" } };
  if (kind === "bearer") {
    const t = token.trim();
    if (t) return { auth: { kind: "bearer", token: t } };
    return keep ? {} : { error: "Enter the token the server expects." };
  }
  if (!headersText.trim())
    return keep ? {} : { error: "Enter at least one header, as Name: value." };
  const parsed = parseHeaders(headersText);
  if (!parsed.ok) return { error: parsed.error };
  return { auth: { kind: "headers", headers: parsed.headers } };
}

/** How the stored credential reads: never the secret, only its shape. */
export function describeAuth(auth: McpServerAuthView): string {
  switch (auth.kind) {
    case "none":
      return "None";
    case "bearer":
      return `Bearer token ••••${auth.last4}`;
    case "headers":
      return `Headers: ${auth.headerNames.join(", ")}`;
  }
}
