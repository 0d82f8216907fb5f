// Where audit rows go: straight into D1, and if D1 refuses, into the spool Durable Object that
// retries until D1 takes them. Runs after the response (from waitUntil), never before it.
import { type AuditRow, insertAuditRows } from "../../durable-objects/audit-spool";
import { AUDIT_SPOOL_NAME, signInGuard } from "../../durable-objects/sign-in-guard";

export async function saveAuditRows(env: Env, rows: AuditRow[]): Promise<void> {
  try {
    await insertAuditRows(env.DB, rows);
    return;
  } catch (err) {
    console.error(`audit: D1 insert failed, spooling ${rows.length} row(s): ${String(err)}`);
  }
  try {
    await signInGuard(env, AUDIT_SPOOL_NAME).spool(rows);
  } catch (err) {
    // Last resort: the rows (already redacted) go to the Worker's logs, where they can be
    // recovered, rather than nowhere.
    console.error(`audit: spool failed too (${String(err)}); rows: ${JSON.stringify(rows)}`);
  }
}
