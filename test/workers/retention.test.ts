// Retention through the Worker's hourly scheduled() handler: an organisation with a retention
// setting loses only its request logs, tool-call logs and captured payloads older than that
// many days; the daily rollups (and so the Costs page) stay as they were; an organisation
// without one keeps everything; one run deletes a bounded number of rows, in batches through
// the (org, time) indexes, and the next run carries on; organisations take turns.
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../workers/index";
import {
  enforceRetention,
  RETENTION_LIMITS,
  TIME_COLUMNS,
  type TrimmedTable,
  trimStatement,
} from "../../workers/retention/enforce";
import { TELEMETRY_QUEUE } from "../../workers/telemetry/consume";
import { type TelemetryMessage, toolCallMessage } from "../../workers/telemetry/message";
import { otherOrganisation, rows } from "./api-helpers";
import { type Admin, admin } from "./helpers";
import { llmMessage, llmRow, toolRow } from "./telemetry-rows";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const PROMPT = "retention-test prompt: the secret plan";

let a: Admin;
let seq = 0;

beforeAll(async () => {
  a = await admin();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The Cron Trigger firing, as wrangler.toml schedules it; returns the lines it logged. */
async function cron(): Promise<string[]> {
  const logged: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(" "));
  });
  const ctx = createExecutionContext();
  worker.scheduled(
    createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  log.mockRestore();
  return logged.filter((line) => line.startsWith("retention:"));
}

/** Messages delivered to the Worker's queue() handler as one batch, all acknowledged. */
async function deliver(messages: TelemetryMessage[]): Promise<void> {
  const batch = createMessageBatch(
    TELEMETRY_QUEUE,
    messages.map((body) => ({
      id: `msg-retention-${++seq}`,
      timestamp: new Date(),
      attempts: 1,
      body,
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  const result = await getQueueResult(batch, ctx);
  expect(result.explicitAcks).toHaveLength(messages.length);
}

/** An LLM request of `orgId` at `at`, with its prompt and completion captured. */
function llmAt(orgId: string, id: string, at: number): TelemetryMessage {
  const message = llmMessage(
    llmRow(id, { orgId, createdAt: at, model: "claude-retention", costMicroUsd: 1_000 }),
  );
  return { ...message, span: { ...message.span, content: { input: PROMPT, output: "done" } } };
}

function toolAt(orgId: string, id: string, at: number): TelemetryMessage {
  return toolCallMessage(toolRow(id, { orgId, at, arguments: PROMPT }), {
    startedAt: at,
    endedAt: at + 4,
  });
}

/** Ids of each trimmed table's rows of `orgId`, sorted. */
async function idsOf(orgId: string) {
  const ids = async (sql: string) =>
    (await rows<{ id: string }>(sql, orgId)).map((r) => r.id).sort();
  return {
    llm: await ids("SELECT id FROM llm_requests WHERE org_id = ?"),
    tools: await ids("SELECT id FROM mcp_tool_calls WHERE org_id = ?"),
    payloads: await ids("SELECT request_id AS id FROM llm_payloads WHERE org_id = ?"),
  };
}

async function count(sql: string, ...binds: unknown[]): Promise<number> {
  const [row] = await rows<{ n: number }>(sql, ...binds);
  return row?.n ?? -1;
}

const usageDaily = () => rows("SELECT * FROM usage_daily ORDER BY org_id, day, model, user_id");

async function setRetention(orgId: string, days: number | null) {
  await env.DB.prepare("UPDATE organisations SET retention_days = ? WHERE id = ?")
    .bind(days, orgId)
    .run();
}

/** A fresh organisation written straight into D1, with `days` of retention. */
async function organisation(name: string, days: number | null): Promise<string> {
  const id = `org_${name}`;
  await env.DB.prepare(
    "INSERT INTO organisations (id, name, created_at, retention_days) VALUES (?, ?, ?, ?)",
  )
    .bind(id, name, Date.now(), days)
    .run();
  return id;
}

/**
 * `n` LLM request rows of `orgId` with ids `<prefix><i>`, created `at - i`, inserted in one
 * statement (a backlog too large to build message by message).
 */
async function backlog(orgId: string, prefix: string, n: number, at: number): Promise<void> {
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?3)
     INSERT INTO llm_requests (id, org_id, created_at, proxy_id, endpoint, credential,
       billing_mode, streamed, status, input_tokens, output_tokens, cache_write_5m_tokens,
       cache_write_1h_tokens, cache_read_tokens, duration_ms, client_gone, rolled_up)
     SELECT ?1 || i, ?2, ?4 - i, 'prx_backlog', 'messages', 'direct', 'metered', 0, 200,
       1, 1, 0, 0, 0, 5, 0, 1 FROM n`,
  )
    .bind(prefix, orgId, n, at)
    .run();
}

describe("the hourly retention run", () => {
  it("deletes only the old log rows and payloads of an organisation with retention, never the rollups", async () => {
    const now = Date.now();
    const old = now - 31 * DAY;
    const recent = now - 29 * DAY;
    const elsewhere = await otherOrganisation();
    const ancient = now - 400 * DAY;
    expect(
      await a.json("/organisation", { method: "PATCH", body: { retentionDays: 30 } }),
    ).toMatchObject({ retentionDays: 30 });
    await deliver([
      llmAt(a.orgId, "llm_old_1", old),
      llmAt(a.orgId, "llm_old_2", old - DAY),
      llmAt(a.orgId, "llm_new_1", recent),
      toolAt(a.orgId, "mtc_old_1", old),
      toolAt(a.orgId, "mtc_old_2", old - 5 * DAY),
      toolAt(a.orgId, "mtc_new_1", recent),
      llmAt(elsewhere.orgId, "llm_theirs_1", ancient),
      toolAt(elsewhere.orgId, "mtc_theirs_1", ancient),
    ]);
    // A dead letter is not a log row: retention leaves it to the admins.
    await env.DB.prepare(
      "INSERT INTO telemetry_dead_letters (id, org_id, kind, row_id, reason, body, attempts, failed_at) VALUES ('dl_old', ?, 'llm_request', 'llm_x', 'test', '{}', 3, ?)",
    )
      .bind(a.orgId, old)
      .run();
    expect(await idsOf(a.orgId)).toEqual({
      llm: ["llm_new_1", "llm_old_1", "llm_old_2"],
      tools: ["mtc_new_1", "mtc_old_1", "mtc_old_2"],
      payloads: ["llm_new_1", "llm_old_1", "llm_old_2"],
    });
    const rollupsBefore = await usageDaily();
    const from = new Date(old - 2 * DAY).toISOString().slice(0, 10);
    const costs = () => a.json(`/usage?from=${from}&groupBy=day,model`);
    const costsBefore = await costs();
    expect(costsBefore).toMatchObject({
      data: expect.arrayContaining([
        expect.objectContaining({ model: "claude-retention", requests: 1, costMicroUsd: 1_000 }),
      ]),
    });

    const logged = await cron();

    expect(await idsOf(a.orgId)).toEqual({
      llm: ["llm_new_1"],
      tools: ["mtc_new_1"],
      payloads: ["llm_new_1"],
    });
    expect(await idsOf(elsewhere.orgId)).toEqual({
      llm: ["llm_theirs_1"],
      tools: ["mtc_theirs_1"],
      payloads: ["llm_theirs_1"],
    });
    expect(await usageDaily()).toEqual(rollupsBefore);
    expect(await costs()).toEqual(costsBefore);
    expect(await count("SELECT count(*) AS n FROM telemetry_dead_letters")).toBe(1);
    // One line of counts, nothing of what the rows held.
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain("deleted llm_requests=2 mcp_tool_calls=2 llm_payloads=2");
    expect(logged[0]).not.toContain("secret plan");
  });

  it("keeps everything once retention is set back to forever", async () => {
    expect(
      await a.json("/organisation", { method: "PATCH", body: { retentionDays: null } }),
    ).toMatchObject({ retentionDays: null });
    await deliver([
      llmAt(a.orgId, "llm_forever_1", Date.now() - 900 * DAY),
      toolAt(a.orgId, "mtc_forever_1", Date.now() - 900 * DAY),
    ]);
    await cron();
    expect(await idsOf(a.orgId)).toEqual({
      llm: ["llm_forever_1", "llm_new_1"],
      tools: ["mtc_forever_1", "mtc_new_1"],
      payloads: ["llm_forever_1", "llm_new_1"],
    });
  });

  it("deletes at most its bound in one run, and the rest in the next", async () => {
    const orgId = await organisation("backlog", 1);
    const bound = RETENTION_LIMITS.batchRows * RETENTION_LIMITS.batchesPerTable;
    const cutoff = Date.now() - DAY;
    await backlog(orgId, "old_", bound + 250, cutoff - HOUR);
    await backlog(orgId, "new_", 10, Date.now());
    const old = () =>
      count("SELECT count(*) AS n FROM llm_requests WHERE org_id = ? AND id LIKE 'old_%'", orgId);
    const recent = () =>
      count("SELECT count(*) AS n FROM llm_requests WHERE org_id = ? AND id LIKE 'new_%'", orgId);
    expect(await old()).toBe(bound + 250);

    const [first] = await cron();
    expect(await old()).toBe(250);
    expect(await recent()).toBe(10);
    expect(first).toContain(`deleted llm_requests=${bound} `);
    // Its full batches, and one batch each for its two tables with nothing old.
    expect(first).toContain(` in ${RETENTION_LIMITS.batchesPerTable + 2} statement(s)`);
    expect(first).toContain("1 table(s) left for the next run");

    const [second] = await cron();
    expect(await old()).toBe(0);
    expect(await recent()).toBe(10);
    expect(second).toContain("deleted llm_requests=250 ");
    // A batch short of a full one ends its table: three statements.
    expect(second).toContain(" in 3 statement(s)");
    expect(second).toContain("0 table(s) left for the next run");
  });

  it("keeps to its statement budget, and organisations take turns from run to run", async () => {
    await setRetention(a.orgId, null);
    await setRetention("org_backlog", null);
    const first = await organisation("turns_a", 1);
    const second = await organisation("turns_b", 1);
    const hour = Math.floor(Date.now() / HOUR);
    // An hour in which the first organisation (by id) goes first.
    const evenHour = (hour - (hour % 2)) * HOUR + 60_000;
    await backlog(first, "turn_a_", 20, evenHour - 2 * DAY);
    await backlog(second, "turn_b_", 20, evenHour - 2 * DAY);
    const left = async () => [
      await count("SELECT count(*) AS n FROM llm_requests WHERE org_id = ?", first),
      await count("SELECT count(*) AS n FROM llm_requests WHERE org_id = ?", second),
    ];
    const limits = { batchRows: 2, batchesPerTable: 3, statementsPerRun: 7 };
    vi.spyOn(console, "log").mockImplementation(() => {});

    // Six statements for the first batch of every table of both, then one more: the first's.
    const run1 = await enforceRetention(env, { now: evenHour, limits });
    expect(run1).toMatchObject({ organisations: 2, statements: 7, unfinished: 2 });
    expect(await left()).toEqual([16, 18]);

    // An hour later the second goes first, and gets the extra batch.
    const run2 = await enforceRetention(env, { now: evenHour + HOUR, limits });
    expect(run2.statements).toBe(7);
    expect(await left()).toEqual([14, 14]);

    // With statements to spare, each table still gets at most batchesPerTable batches.
    const run3 = await enforceRetention(env, {
      now: evenHour + HOUR,
      limits: { ...limits, statementsPerRun: 100 },
    });
    expect(run3).toMatchObject({ statements: 10, unfinished: 2 });
    expect(run3.deleted).toEqual({ llm_requests: 12, mcp_tool_calls: 0, llm_payloads: 0 });
    expect(await left()).toEqual([8, 8]);
  });

  it("runs alongside the queue consumer: nothing it stores is lost or counted twice", async () => {
    const orgId = await organisation("busy", 1);
    await backlog(orgId, "busy_old_", 5 * RETENTION_LIMITS.batchRows, Date.now() - 3 * DAY);
    const fresh = Array.from({ length: 40 }, (_, i) => llmAt(orgId, `busy_new_${i}`, Date.now()));
    const requests = () =>
      count("SELECT coalesce(sum(requests), 0) AS n FROM usage_daily WHERE org_id = ?", orgId);
    const trimming = cron();
    await Promise.all([deliver(fresh.slice(0, 20)), deliver(fresh.slice(20))]);
    await trimming;
    expect(
      await count(
        "SELECT count(*) AS n FROM llm_requests WHERE org_id = ? AND id LIKE 'busy_old_%'",
        orgId,
      ),
    ).toBe(0);
    expect((await idsOf(orgId)).llm).toHaveLength(40);
    expect((await idsOf(orgId)).payloads).toHaveLength(40);
    expect(await requests()).toBe(40);
  });

  it("finds each batch through the table's organisation and time index", async () => {
    const indexes = {
      llm_requests: "llm_requests_org_time",
      mcp_tool_calls: "mcp_tool_calls_org_at",
      llm_payloads: "llm_payloads_org_time",
    };
    for (const [table, time] of Object.entries(TIME_COLUMNS) as [TrimmedTable, string][]) {
      const plan = await rows<{ detail: string }>(
        `EXPLAIN QUERY PLAN ${trimStatement(table)}`,
        "org_x",
        0,
        10,
      );
      const details = plan.map((p) => p.detail).join("\n");
      expect(details, table).toMatch(
        new RegExp(
          `SEARCH ${table} USING (COVERING )?INDEX ${indexes[table]} \\(org_id=\\? AND ${time}<\\?\\)`,
        ),
      );
      expect(details, table).not.toMatch(/\bSCAN\b/);
    }
  });
});
