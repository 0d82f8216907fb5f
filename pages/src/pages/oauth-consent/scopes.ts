// What each OAuth scope lets an app do, in plain words (the consent screen and connected apps).

const SCOPES: Record<string, string> = {
  mcp: "Use the tools of this gateway as you",
  offline_access: "Stay connected without asking again (refresh tokens)",
};

/** The plain-words explanation of a scope; an unknown one is named as it is. */
export function scopeText(scope: string): string {
  return SCOPES[scope] ?? `Access named “${scope}”`;
}

/** Short labels for a list of scopes, for tables. */
export function scopeSummary(scopes: string[]): string {
  if (scopes.length === 0) return "—";
  return scopes
    .map((s) => (s === "mcp" ? "Tools" : s === "offline_access" ? "Stay connected" : s))
    .join(", ");
}
