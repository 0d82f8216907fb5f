// Where audit rows go: straight into D1, and if D1 refuses, into the spool Durable Object that
// retries until D1 takes them. Runs after the response (from waitUntil), never before it.
import { asc } from "drizzle-orm";
import { organisations } from "../../d1/schema";
import { type AuditRow, insertAuditRows } from "../../durable-objects/audit-spool";
import { AUDIT_SPOOL_NAME, signInGuard } from "../../durable-objects/sign-in-guard";
import { db } from "../db";

export async function saveAuditRows(env: Env, rows: AuditRow[]): Promise<void> {
  const owned = await withOrganisation(env, rows);
  try {
    await insertAuditRows(env.DB, owned);
    return;
  } catch (err) {
    console.error(`audit: D1 insert failed, spooling ${owned.length} row(s): ${String(err)}`);
  }
  try {
    await signInGuard(env, AUDIT_SPOOL_NAME).spool(owned);
  } catch (err) {
    // Last resort: the rows (already redacted) go to the Worker's logs, where they can be
    // recovered, rather than nowhere.
    console.error(`audit: spool failed too (${String(err)}); rows: ${JSON.stringify(owned)}`);
  }
}

/** Per D1 binding: the organisation, once there is one, never changes. */
const installationOrgs = new WeakMap<D1Database, string>();

/**
 * An entry with no known organisation (an anonymous request, a sign-in attempt for an email
 * nobody has) belongs to the installation's organisation: an installation holds one (the API
 * can only ever create one), and its admins are the people who need to see those attempts.
 */
async function withOrganisation(env: Env, rows: AuditRow[]): Promise<AuditRow[]> {
  if (rows.every((r) => r.orgId)) return rows;
  let orgId = installationOrgs.get(env.DB);
  if (!orgId) {
    const [first] = await db(env)
      .select({ id: organisations.id })
      .from(organisations)
      .orderBy(asc(organisations.createdAt))
      .limit(1)
      .catch(() => []);
    orgId = first?.id;
    if (orgId) installationOrgs.set(env.DB, orgId);
  }
  return rows.map((r) => (r.orgId ? r : { ...r, orgId: orgId ?? null }));
}
