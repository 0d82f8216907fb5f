// Reading and removing telemetry dead letters for the admin API. A caller sees their
// organisation's dead letters and those with no organisation (a message of an unknown shape
// names none; an installation holds one organisation, so they are its own).
import { and, asc, count, desc, eq, gt, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { telemetryDeadLetters as letters, type TelemetryDeadLetter } from "../../d1/schema";
import type { DeadLetterDetail, DeadLetterView } from "../../shared/api-types";
import { deadLetterKind, deadLetterSummary } from "../../shared/dead-letter-summary";
import { db } from "../db";
import { notFound } from "../errors";

export interface Position {
  failedAt: number;
  id: string;
}

function visibleTo(orgId: string): SQL {
  return or(eq(letters.orgId, orgId), isNull(letters.orgId)) as SQL;
}

/** Newest first, `limit` of them after `before`; plus how many are visible in all. */
export async function deadLetterPage(
  env: Env,
  orgId: string,
  limit: number,
  before?: Position,
): Promise<{ rows: TelemetryDeadLetter[]; total: number }> {
  const where = [visibleTo(orgId)];
  if (before) {
    where.push(
      or(
        lt(letters.failedAt, before.failedAt),
        and(eq(letters.failedAt, before.failedAt), lt(letters.id, before.id)),
      ) as SQL,
    );
  }
  const d = db(env);
  const [rows, totals] = await d.batch([
    d
      .select()
      .from(letters)
      .where(and(...where))
      .orderBy(desc(letters.failedAt), desc(letters.id))
      .limit(limit),
    d.select({ n: count() }).from(letters).where(visibleTo(orgId)),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

/**
 * Oldest first, up to `limit` that failed at or before `until` and after `after`: how retry-all
 * walks them. The bound leaves out messages that fail again while it runs.
 */
export function oldestDeadLetters(
  env: Env,
  orgId: string,
  limit: number,
  until: number,
  after?: Position,
): Promise<TelemetryDeadLetter[]> {
  const where = [visibleTo(orgId), lte(letters.failedAt, until)];
  if (after) {
    where.push(
      or(
        gt(letters.failedAt, after.failedAt),
        and(eq(letters.failedAt, after.failedAt), gt(letters.id, after.id)),
      ) as SQL,
    );
  }
  return db(env)
    .select()
    .from(letters)
    .where(and(...where))
    .orderBy(asc(letters.failedAt), asc(letters.id))
    .limit(limit);
}

/** How many the caller sees, or how many of those failed at or before `until`. */
export async function countDeadLetters(env: Env, orgId: string, until?: number): Promise<number> {
  const where = [visibleTo(orgId)];
  if (until !== undefined) where.push(lte(letters.failedAt, until));
  const [row] = await db(env)
    .select({ n: count() })
    .from(letters)
    .where(and(...where));
  return row?.n ?? 0;
}

/** The dead letter with this id, if the caller may see it; 404 otherwise. */
export async function findDeadLetter(
  env: Env,
  orgId: string,
  id: string,
): Promise<TelemetryDeadLetter> {
  const [row] = await db(env)
    .select()
    .from(letters)
    .where(and(eq(letters.id, id), visibleTo(orgId)))
    .limit(1);
  if (!row) throw notFound("There is no dead letter with this id waiting.");
  return row;
}

/** Removes dead letters by id, in one statement whatever their number. */
export async function deleteDeadLetters(env: Env, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db(env)
    .delete(letters)
    .where(sql`${letters.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
}

/** The stored message: the JSON it was kept as, or the text itself if it is not JSON. */
export function storedBody(row: TelemetryDeadLetter): unknown {
  try {
    return JSON.parse(row.body);
  } catch {
    return row.body;
  }
}

export function deadLetterView(row: TelemetryDeadLetter): DeadLetterView {
  const kind = deadLetterKind(row.kind);
  return {
    id: row.id,
    kind,
    rowId: row.rowId,
    reason: row.reason,
    attempts: row.attempts,
    failedAt: row.failedAt,
    summary: deadLetterSummary(kind, storedBody(row)),
  };
}

export function deadLetterDetail(row: TelemetryDeadLetter): DeadLetterDetail {
  return { ...deadLetterView(row), body: storedBody(row) };
}
