// MCP protocol versions the gateway speaks, newest first, and how it picks one.

export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = [
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
];

export const LATEST_PROTOCOL_VERSION = "2025-11-25";

/** Assumed for requests without `MCP-Protocol-Version`, as the 2025-06-18 spec says. */
export const DEFAULT_NEGOTIATED_VERSION = "2025-03-26";

/** The version answered to `initialize`: the client's if we speak it, else our newest. */
export function negotiateVersion(requested: unknown): string {
  return typeof requested === "string" && SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
    ? requested
    : LATEST_PROTOCOL_VERSION;
}
