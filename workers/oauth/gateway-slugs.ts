// The slugs of every MCP gateway, from D1, cached in the isolate for a few seconds. The OAuth
// authorization server is built from this list (one resource per gateway), so the cache keeps
// the MCP hot path free of D1 queries; a slug the cache does not know (a gateway created a
// moment ago in another isolate) makes it reload at once.
import { asc } from "drizzle-orm";
import { mcpGateways } from "../../d1/schema";
import { db } from "../db";

const TTL_MS = 5_000;

interface Entry {
  slugs: readonly string[];
  at: number;
}

const cache = new WeakMap<D1Database, Entry>();

/** A slug that is one plain path segment, so `<origin>/v1/mcp/<slug>` is a canonical URL. */
export function isPlainSlug(slug: string): boolean {
  return /^[A-Za-z0-9._~-]{1,128}$/.test(slug) && slug !== "." && slug !== "..";
}

// Each request loads for itself: a Worker request must not wait on I/O another one started.
async function load(env: Env): Promise<Entry> {
  const rows = await db(env)
    .select({ slug: mcpGateways.slug })
    .from(mcpGateways)
    .orderBy(asc(mcpGateways.slug));
  const entry: Entry = { slugs: rows.map((r) => r.slug).filter(isPlainSlug), at: Date.now() };
  cache.set(env.DB, entry);
  return entry;
}

/**
 * Every gateway slug, sorted. Served from the isolate's cache while it is fresh and knows
 * `mustKnow` (when given); reloaded from D1 otherwise.
 */
export async function gatewaySlugs(env: Env, mustKnow?: string): Promise<readonly string[]> {
  const hit = cache.get(env.DB);
  // An empty list is never trusted from the cache: the first gateway may have just been made.
  const fresh = hit !== undefined && hit.slugs.length > 0 && Date.now() - hit.at < TTL_MS;
  if (fresh && (mustKnow === undefined || hit.slugs.includes(mustKnow))) return hit.slugs;
  return (await load(env)).slugs;
}

/** Reload the list now (a token request that names no resource: its grant's gateway may be new). */
export async function reloadGatewaySlugs(env: Env): Promise<void> {
  await load(env);
}

/** Drop this isolate's cached list (after creating, renaming or deleting a gateway). */
export function forgetGatewaySlugs(env: Env): void {
  cache.delete(env.DB);
}
