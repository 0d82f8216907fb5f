// The names a gateway gives its upstreams' tools and prompts: `<server>__<name>`, never longer
// than 64 characters. A longer name keeps its head and gets a short hash of the full name, so
// the same upstream tool always gets the same name; if two still collide, the one that sorts
// later gets a numeric suffix, so the outcome does not depend on which upstream answered first.

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

function shorten(full: string, max: number): string {
  if (full.length <= max) return full;
  const hash = shortHash(full);
  return `${full.slice(0, max - hash.length - 1)}_${hash}`;
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
