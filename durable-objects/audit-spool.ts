// The audit log's safety net. An entry is normally inserted into D1 straight after the
// response; when that insert fails (D1 briefly unavailable, overloaded), the entry is handed
// here, kept in the Durable Object's own SQLite, and retried from an alarm with backoff until
// D1 takes it. Inserts are idempotent (the entry's id is the primary key), so a retry after a
// half-known outcome never duplicates an entry.
import { drizzle } from "drizzle-orm/d1";
import { auditLog } from "../d1/schema";

export type AuditRow = typeof auditLog.$inferInsert;

const BATCH = 50;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 10 * 60_000;

/** Inserts rows into D1's audit_log, in one batch; rows already there are left alone. */
export async function insertAuditRows(d1: D1Database, rows: readonly AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  const db = drizzle(d1);
  const [first, ...rest] = rows.map((row) => db.insert(auditLog).values(row).onConflictDoNothing());
  if (!first) return;
  await db.batch([first, ...rest]);
}

export class AuditSpool {
  #ready = false;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly d1: D1Database,
  ) {}

  #table() {
    if (this.#ready) return;
    this.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS audit_spool (id TEXT PRIMARY KEY, row TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)",
    );
    this.#ready = true;
  }

  /** Whether this object holds a spool at all (only the one named for it does). */
  exists(): boolean {
    return (
      this.storage.sql
        .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_spool'")
        .toArray().length > 0
    );
  }

  async add(rows: readonly AuditRow[]): Promise<void> {
    this.#table();
    for (const row of rows) {
      this.storage.sql.exec(
        "INSERT OR IGNORE INTO audit_spool (id, row) VALUES (?, ?)",
        row.id,
        JSON.stringify(row),
      );
    }
    if ((await this.storage.getAlarm()) === null) {
      await this.storage.setAlarm(Date.now() + FIRST_RETRY_MS);
    }
  }

  pending(): number {
    if (!this.exists()) return 0;
    const [row] = this.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM audit_spool");
    return row?.n ?? 0;
  }

  /** Moves spooled rows to D1; returns when to try again, or null when the spool is empty. */
  async flush(now: number): Promise<number | null> {
    if (!this.exists()) return null;
    for (;;) {
      const batch = this.storage.sql
        .exec<{ id: string; row: string; attempts: number }>(
          "SELECT id, row, attempts FROM audit_spool ORDER BY rowid LIMIT ?",
          BATCH,
        )
        .toArray();
      if (batch.length === 0) return null;
      try {
        await insertAuditRows(
          this.d1,
          batch.map((b) => JSON.parse(b.row) as AuditRow),
        );
      } catch (err) {
        const attempts = Math.max(...batch.map((b) => b.attempts)) + 1;
        this.storage.sql.exec(
          `UPDATE audit_spool SET attempts = attempts + 1 WHERE id IN (${batch.map(() => "?").join(", ")})`,
          ...batch.map((b) => b.id),
        );
        console.error(`audit spool: D1 insert failed (attempt ${attempts}): ${String(err)}`);
        return now + Math.min(FIRST_RETRY_MS * 2 ** attempts, MAX_RETRY_MS);
      }
      this.storage.sql.exec(
        `DELETE FROM audit_spool WHERE id IN (${batch.map(() => "?").join(", ")})`,
        ...batch.map((b) => b.id),
      );
    }
  }
}
