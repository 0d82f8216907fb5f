// An organisation's config_revision: a counter that triggers in D1 bump on every write to what
// the hot path caches (keys and their owners and teams, proxies, provider keys, limits, prices,
// limit settings; migrations 0008 and 0009). A cached record keeps the revision it was loaded
// under and is reused at its refresh while the revision has not moved, so an isolate's caches
// cost D1 one read per organisation every few seconds, not one per record. The same read
// brings the organisation's content-capture switch, so the proxy learns it at no extra cost.
import { eq, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { organisations } from "../d1/schema";
import { TtlCache, type WaitUntil } from "../shared/ttl-cache";
import { db } from "./db";

const TTL_MS = 5_000;
const STALE_MS = 60_000;
interface OrgState {
  revision: number;
  captureContent: boolean;
}
const revisions = new TtlCache<OrgState | null>(TTL_MS, 10_000, STALE_MS);

function orgState(env: Env, orgId: string, waitUntil?: WaitUntil): Promise<OrgState | null> {
  return revisions.getOrRefresh(
    orgId,
    async () => {
      const rows = await db(env)
        .select({
          revision: organisations.configRevision,
          captureContent: organisations.captureContent,
        })
        .from(organisations)
        .where(eq(organisations.id, orgId));
      return rows[0] ?? null;
    },
    waitUntil,
  );
}

/** The organisation's revision, from the cache (refreshed in the background with waitUntil). */
export async function revisionOf(
  env: Env,
  orgId: string,
  waitUntil?: WaitUntil,
): Promise<number | null> {
  return (await orgState(env, orgId, waitUntil))?.revision ?? null;
}

/** Whether the organisation captures prompts and completions (as fresh as the revision). */
export async function capturesContent(
  env: Env,
  orgId: string,
  waitUntil?: WaitUntil,
): Promise<boolean> {
  return (await orgState(env, orgId, waitUntil))?.captureContent ?? false;
}

/** Whether a cached record is still what D1 holds: its organisation changed nothing since. */
export async function stillCurrent(
  env: Env,
  record: { orgId: string; revision: number } | null | undefined,
  waitUntil?: WaitUntil,
): Promise<boolean> {
  if (!record) return false;
  return (await revisionOf(env, record.orgId, waitUntil)) === record.revision;
}

/** The revision of the organisation `orgId` names, read in the same statement as a record. */
export const revisionColumn = (orgId: SQLiteColumn) =>
  sql<number>`(SELECT ${organisations.configRevision} FROM ${organisations} WHERE ${organisations.id} = ${orgId})`;

/** After an admin write in this isolate: every record is checked again at its next refresh. */
export function forgetRevisions(): void {
  revisions.clear();
}
