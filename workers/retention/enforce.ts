// The Cron Trigger's job (hourly, wrangler.toml): for each organisation with a retention
// setting, request logs, tool-call logs and captured payloads older than that many days are
// deleted. The daily rollups (usage_daily) are never touched, so costs and budgets stay right.
//
// Each DELETE takes at most `batchRows` rows through the table's (org_id, time) index and is its
// own short transaction, so the telemetry consumer's inserts interleave with it (they only add
// recent rows, which the cut-off never reaches). A run is bounded (RETENTION_LIMITS): at most
// `batchesPerTable` statements per organisation and table and `statementsPerRun` in all, well
// inside an invocation's D1 query limit (1,000 on Workers Paid); a larger backlog is worked off
// over the following runs. Organisations take turns batch by batch, starting with a different one each
// hour, so one organisation's backlog never starves the others.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface RetentionLimits {
  /** Rows one DELETE may remove. */
  batchRows: number;
  /** DELETE statements per organisation and table in one run. */
  batchesPerTable: number;
  /** DELETE statements in one run, all organisations and tables together. */
  statementsPerRun: number;
}

export const RETENTION_LIMITS: RetentionLimits = {
  batchRows: 1_000,
  batchesPerTable: 25,
  statementsPerRun: 400,
};

/** The tables trimmed and their time columns, each pair covered by an (org_id, time) index. */
export const TIME_COLUMNS = {
  llm_requests: "created_at",
  mcp_tool_calls: "at",
  llm_payloads: "created_at",
} as const;

export type TrimmedTable = keyof typeof TIME_COLUMNS;
const TRIMMED_TABLES = Object.keys(TIME_COLUMNS) as TrimmedTable[];

/** One batch: rows of organisation ?1 older than ?2 (epoch ms), at most ?3 of them. */
export function trimStatement(table: TrimmedTable): string {
  const time = TIME_COLUMNS[table];
  return `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE org_id = ?1 AND ${time} < ?2 LIMIT ?3)`;
}

export interface RetentionRun {
  organisations: number;
  deleted: Record<TrimmedTable, number>;
  statements: number;
  /** Organisation-table pairs that may still hold old rows when the run's bounds were reached. */
  unfinished: number;
}

interface Work {
  orgId: string;
  table: TrimmedTable;
  cutoff: number;
  batches: number;
  /** Done once a batch came back short of a full one: nothing older is left. */
  done: boolean;
}

/** Deletes what the organisations' retention settings have let go of, within the run's bounds. */
export async function enforceRetention(
  env: Env,
  options: { now?: number; limits?: RetentionLimits } = {},
): Promise<RetentionRun> {
  const now = options.now ?? Date.now();
  const limits = options.limits ?? RETENTION_LIMITS;
  const { results: orgs } = await env.DB.prepare(
    "SELECT id, retention_days AS days FROM organisations WHERE retention_days IS NOT NULL ORDER BY id",
  ).all<{ id: string; days: number }>();
  const work = inTurn(orgs, now).flatMap((org) =>
    TRIMMED_TABLES.map(
      (table): Work => ({
        orgId: org.id,
        table,
        cutoff: now - org.days * DAY_MS,
        batches: 0,
        done: false,
      }),
    ),
  );
  const run: RetentionRun = {
    organisations: orgs.length,
    deleted: { llm_requests: 0, mcp_tool_calls: 0, llm_payloads: 0 },
    statements: 0,
    unfinished: 0,
  };
  const open = (w: Work) => !w.done && w.batches < limits.batchesPerTable;
  try {
    // Round by round: one batch for every pair that may still have old rows.
    while (run.statements < limits.statementsPerRun && work.some(open)) {
      for (const w of work) {
        if (!open(w)) continue;
        if (run.statements >= limits.statementsPerRun) break;
        const { meta } = await env.DB.prepare(trimStatement(w.table))
          .bind(w.orgId, w.cutoff, limits.batchRows)
          .run();
        run.statements++;
        w.batches++;
        run.deleted[w.table] += meta.changes;
        if (meta.changes < limits.batchRows) w.done = true;
      }
    }
  } catch (err) {
    run.unfinished = work.filter((w) => !w.done).length;
    console.error(`${summary(run)}; stopped: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
  run.unfinished = work.filter((w) => !w.done).length;
  console.log(summary(run));
  return run;
}

/**
 * The organisations rotated by the hour, so that when a run's statement budget cannot reach
 * every organisation, a different one goes first in the next run.
 */
function inTurn<T>(orgs: T[], now: number): T[] {
  if (orgs.length === 0) return orgs;
  const first = Math.floor(now / HOUR_MS) % orgs.length;
  return [...orgs.slice(first), ...orgs.slice(0, first)];
}

/** One line of counts for the Worker's logs; never a row's content. */
function summary(run: RetentionRun): string {
  const d = run.deleted;
  return `retention: ${run.organisations} organisation(s) with a retention setting; deleted llm_requests=${d.llm_requests} mcp_tool_calls=${d.mcp_tool_calls} llm_payloads=${d.llm_payloads} in ${run.statements} statement(s); ${run.unfinished} table(s) left for the next run`;
}
