// The names a gateway gives its upstreams' tools and prompts: `<server>__<name>`, never longer
// than 64 characters, only of the characters MCP allows in a tool name. A longer name keeps its
// head and gets a short hash of the full name, so the same upstream tool always gets the same
// name; so does a name with other characters, each replaced by `_` (the hash keeps `a b` and
// `a_b` apart, and leaves `a_b` its plain name). If two still collide, the one that sorts later
// gets a numeric suffix, so the outcome does not depend on which upstream answered first.

export const MAX_NAME_LENGTH = 64;
const SEPARATOR = "__";

export interface UpstreamName {
  serverId: string;
  serverName: string;
  /** The upstream's own name. */
  name: string;
}

/** FNV-1a, 32 bits, as 8 hex digits: stable, cheap, good enough to tell names apart. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

// MCP (2025-11-25, "Tool names"): ASCII letters, digits, `_`, `-` and `.`. Per code point, so
// an emoji becomes one `_`, not two.
const OUTSIDE_CHARSET = /[^A-Za-z0-9_.-]/gu;

function shorten(full: string, max: number): string {
  const clean = full.replace(OUTSIDE_CHARSET, "_");
  if (clean === full && full.length <= max) return full;
  const hash = shortHash(full);
  return `${clean.slice(0, max - hash.length - 1)}_${hash}`;
}

/**
 * Exposed name → upstream name for a set of upstream items. Input order does not matter.
 */
export function exposeNames<T extends UpstreamName>(items: readonly T[]): Map<string, T> {
  const sorted = [...items].sort((a, b) =>
    a.serverName === b.serverName
      ? a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : 0
      : a.serverName < b.serverName
        ? -1
        : 1,
  );
  const out = new Map<string, T>();
  for (const item of sorted) {
    const full = `${item.serverName}${SEPARATOR}${item.name}`;
    let name = shorten(full, MAX_NAME_LENGTH);
    for (let n = 2; out.has(name); n++) {
      const suffix = `_${n}`;
      name = `${shorten(full, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
    }
    out.set(name, item);
  }
  return out;
}
