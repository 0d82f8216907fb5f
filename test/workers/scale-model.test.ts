// The scale model's figures (docs/scale.md), counted rather than worked out by hand: 100 people
// each send a request every few seconds (time faked, not slept) through the real Worker entry,
// its real Durable Objects and D1, and the real queue consumer. Counters around the bindings
// (scale-counters.ts) tally D1 statements and rows, Durable Object calls and queue messages;
// the queue's messages are kept and delivered in batches exactly as wrangler.toml's consumer
// settings batch them. Steady state is the simulated minute after a warm-up, when the isolate's
// caches and the gates are warm. The table is printed and kept in test-results/scale-model.json
// (docs/scale.md quotes it).
import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import worker from "../../workers/index";
import { invalidateOrgLimits } from "../../workers/limits/config-cache";
import { TELEMETRY_QUEUE } from "../../workers/telemetry/consume";
import wranglerToml from "../../wrangler.toml?raw";
import { type Admin, admin, ORIGIN, proxyWithKey } from "./helpers";
import {
  capturingQueue,
  countingD1,
  countingNamespace,
  type D1Tally,
  d1Tally,
  type SentMessage,
} from "./scale-counters";

const PEOPLE = 100;
/** Each person sends one request every PERIOD_MIN..PERIOD_MAX ms (fixed per person). */
const PERIOD_MIN = 2_000;
const PERIOD_MAX = 6_000;
/**
 * Warm-up before steady state. Every cache entry and Durable Object is in use after the longest
 * period (6 s); half a minute leaves margin (a 60 s warm-up gives the same figures, only slower).
 */
const WARM_MS = 30_000;
const STEADY_MS = 60_000;
/** Requests are grouped into slots of simulated time, run together at the slot's time. */
const SLOT_MS = 1_000;
/** How long the proxy's cached records stay fresh (proxy/lookups.ts, limits/config-cache.ts). */
const FRESH_MS = 5_000;
/** A queue message is billed as one write, one read and one delete per 64 KB. */
const QUEUE_UNIT_BYTES = 64 * 1024;
const SEED = 20261207;
const MODEL = "claude-haiku-4-5-20251001";
/** The target: D1 statements per request in steady state (DESIGN.md, Performance targets). */
const D1_STATEMENTS_PER_REQUEST = 0.05;

/** The telemetry consumer's batching, as wrangler.toml declares it (not as tests shorten it). */
const BATCHING = consumerSettings(wranglerToml, TELEMETRY_QUEUE);

/** Durable Object methods called before the upstream fetch; every other call comes after. */
const ADMISSION_METHODS = new Set(["admit", "reserve"]);

interface Person {
  userId: string;
  proxyId: string;
  headers: Record<string, string>;
  period: number;
  phase: number;
}

interface Scenario {
  key: "a" | "b" | "c";
  label: string;
  stream: boolean;
  /** Gates holding a reservation per request: each is settled after the response. */
  limitedGates: number;
}

const SCENARIOS: readonly Scenario[] = [
  { key: "a", label: "no limits, non-streaming", stream: false, limitedGates: 0 },
  { key: "b", label: "no limits, streaming", stream: true, limitedGates: 0 },
  { key: "c", label: "user + org budgets, streaming", stream: true, limitedGates: 2 },
];

/** Steady-state figures, per proxied request unless said otherwise. */
interface Figures {
  requests: number;
  requestsPerSecond: number;
  /** The proxied request itself plus its share of the consumer's invocations. */
  workerRequests: number;
  consumerInvocations: number;
  doCallsBefore: number;
  doCallsAfter: number;
  doCallsByMethod: Record<string, number>;
  queueMessages: number;
  /** Writes (sends), reads (deliveries) and deletes (acks), each per 64 KB of message. */
  queueOperations: number;
  messageBytes: number;
  batchSize: number;
  d1Statements: number;
  d1StatementsRequestPath: number;
  d1StatementsConsumer: number;
  /** Request-path statements by the table they look up. */
  d1StatementsRequestPathByTable: Record<string, number>;
  /** The consumer's statements by the table they write: statements, rows written and read. */
  d1Consumer: Record<string, { statements: number; rowsWritten: number; rowsRead: number }>;
  /** SQLite time of one consumer batch in local D1 (Miniflare), ms: for estimates only. */
  d1ConsumerSqlMsPerBatch: number;
  d1RowsWritten: number;
  d1RowsWrittenRequestPath: number;
  d1RowsWrittenConsumer: number;
  d1RowsRead: number;
  d1RowsReadRequestPath: number;
  d1RowsReadConsumer: number;
  /**
   * The most times one request-path statement ran with the same parameters: a cache reload
   * runs at most once per freshness window, a per-request query once per request.
   */
  d1RequestPathMostRepeated: number;
  /** Growth of the D1 database per log row stored (the row, its indexes, rollups). */
  dbBytesPerLogRow: number | null;
}

let a: Admin;
let people: Person[];
const results = new Map<Scenario["key"], Figures>();

beforeAll(async () => {
  a = await admin();
  const { proxyId, providerKeyId } = await proxyWithKey(a);
  people = await addPeople(a, proxyId, providerKeyId);
}, 60_000);

afterEach(() => {
  vi.useRealTimers();
});

describe(`${PEOPLE} people, one request every ${PERIOD_MIN / 1000}–${PERIOD_MAX / 1000} s each`, () => {
  it("(a) without limits: one gate call, none after the response; ≤ 0.05 D1 statements per request in all", async () => {
    const f = await run(scenario("a"));
    expect(f.doCallsByMethod, "only the user's gate, once, before the upstream fetch").toEqual({
      "UserGate.admit": 1,
    });
    expect(f.doCallsAfter, "no Durable Object call after the response without limits").toBe(0);
    expectCheapStorage(f);
  }, 120_000);

  it("(b) without limits, streamed: the same", async () => {
    const f = await run(scenario("b"));
    expect(f.doCallsByMethod).toEqual({ "UserGate.admit": 1 });
    expect(f.doCallsAfter).toBe(0);
    expectCheapStorage(f);
  }, 120_000);

  it("(c) with a budget per user and one for the organisation: one settle per gate that reserved", async () => {
    for (const [name, scope, amountUsd] of [
      ["Everyone's monthly budget", "default_user", 10_000],
      ["Organisation monthly budget", "organisation", 1_000_000],
    ] as const) {
      await a.json("/limits", {
        body: { name, scope, metric: "cost", window: "month", amountUsd },
      });
    }
    invalidateOrgLimits(a.orgId);
    const c = scenario("c");
    const f = await run(c);
    expect(f.doCallsByMethod, "one parallel round before, one settle per gate after").toEqual({
      "UserGate.admit": 1,
      "LimitGate.reserve": 1,
      "UserGate.settleLimits": 1,
      "LimitGate.settle": 1,
    });
    expect(f.doCallsAfter).toBe(c.limitedGates);
    expectCheapStorage(f);
  }, 120_000);

  it("prints the figures and keeps them in test-results/scale-model.json", async () => {
    expect([...results.keys()]).toEqual(SCENARIOS.map((s) => s.key));
    console.log(table());
    const document = {
      producedBy: "npx vitest run --project workers test/workers/scale-model.test.ts",
      at: new Date().toISOString(),
      model: {
        people: PEOPLE,
        periodMs: [PERIOD_MIN, PERIOD_MAX],
        warmMs: WARM_MS,
        steadyMs: STEADY_MS,
        slotMs: SLOT_MS,
        seed: SEED,
        batching: BATCHING,
        queueUnitBytes: QUEUE_UNIT_BYTES,
        notes: [
          "Figures are per proxied request in steady state (after warmMs, over steadyMs).",
          "Consumer figures are per message delivered in that window (one message per request).",
          "D1 rows read for statements without meta (drizzle's raw()) come from running each distinct statement once more through all().",
          "d1ConsumerSqlMsPerBatch is local SQLite time in Miniflare, not D1's: use it for estimates only.",
        ],
      },
      perRequest: Object.fromEntries(
        SCENARIOS.map((s) => [s.key, { label: s.label, ...results.get(s.key) }]),
      ),
      table: table(),
    };
    const res = await fetch(`${inject("resultsSinkUrl")}/scale-model`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(document, null, 2),
    });
    expect(res.status).toBe(204);
  });
});

/**
 * What every scenario keeps: one queue message per request; all D1 statements, the request
 * path's cache refreshes and the consumer's batches together, within the target of 0.05 per
 * request; no D1 write on the request path; and request-path reads that are only cache
 * refreshes (the same statement at most once per freshness window, never once per request).
 */
function expectCheapStorage(f: Figures): void {
  expect(f.queueMessages, "one telemetry message per request").toBe(1);
  expect(f.d1StatementsConsumer, "log rows: D1 statements per request").toBeLessThanOrEqual(
    D1_STATEMENTS_PER_REQUEST,
  );
  expect(
    f.d1StatementsConsumer + f.d1StatementsRequestPath,
    "all D1 statements per request, request path and consumer",
  ).toBeLessThanOrEqual(D1_STATEMENTS_PER_REQUEST);
  expect(f.d1RowsWrittenRequestPath, "D1 rows written on the request path").toBe(0);
  expect(
    f.d1RequestPathMostRepeated,
    `a request-path statement ran more often than once per ${FRESH_MS / 1000} s`,
  ).toBeLessThanOrEqual(Math.ceil(STEADY_MS / FRESH_MS) + 1);
}

function scenario(key: Scenario["key"]): Scenario {
  const found = SCENARIOS.find((s) => s.key === key);
  if (!found) throw new Error(`no scenario ${key}`);
  return found;
}

/** Everything counted, at one moment of a run. */
interface Snapshot {
  requests: number;
  request: D1Counts;
  consumer: D1Counts;
  doCalls: Map<string, number>;
  messages: number;
  messageBytes: number;
  batches: number;
  delivered: number;
  dbSize: number | undefined;
}

interface D1Counts {
  statements: number;
  rowsRead: number;
  rowsWritten: number;
  bySql: Map<string, number>;
  byCall: Map<string, number>;
  metaBySql: Map<string, { rowsRead: number; rowsWritten: number; sqlMs: number }>;
  withoutMeta: Map<string, number>;
}

/** Runs one scenario for WARM_MS + STEADY_MS of simulated time; returns steady-state figures. */
async function run(s: Scenario): Promise<Figures> {
  // Each scenario starts a day after the last, so no cache entry of the one before is left.
  const epoch = Date.UTC(2026, 11, 8 + SCENARIOS.indexOf(s), 9, 0, 0);
  vi.useFakeTimers({ toFake: ["Date"], now: epoch });

  const requestD1 = d1Tally();
  const consumerD1 = d1Tally();
  const doCalls = new Map<string, number>();
  const sent: SentMessage[] = [];
  const countCall = (object: string) => (method: string) =>
    doCalls.set(`${object}.${method}`, (doCalls.get(`${object}.${method}`) ?? 0) + 1);
  const requestEnv: Env = {
    ...env,
    DB: countingD1(env.DB, requestD1),
    TELEMETRY: capturingQueue(sent),
    USER_GATE: countingNamespace(env.USER_GATE, countCall("UserGate")),
    LIMIT_GATE: countingNamespace(env.LIMIT_GATE, countCall("LimitGate")),
    SIGN_IN_GUARD: countingNamespace(env.SIGN_IN_GUARD, countCall("SignInGuard")),
  };
  const consumerEnv: Env = { ...env, DB: countingD1(env.DB, consumerD1) };

  const totals = { requests: 0, failures: 0, batches: 0, delivered: 0, acked: 0 };
  const batcher = new Batcher(BATCHING.maxBatchSize, BATCHING.maxBatchTimeout * 1000);
  let fed = 0;
  /** Delivers every batch the queue would have delivered by `now` to the Worker's queue(). */
  const deliver = async (now: number) => {
    for (; fed < sent.length; fed++) batcher.add(sent[fed] as SentMessage);
    for (const batch of batcher.take(now)) {
      const delivery = createMessageBatch(
        TELEMETRY_QUEUE,
        batch.map((m, i) => ({
          id: `scale-${s.key}-${totals.delivered + i}`,
          timestamp: new Date(m.at),
          attempts: 1,
          body: m.body,
        })),
      );
      const ctx = createExecutionContext();
      await worker.queue(delivery, consumerEnv, ctx);
      const outcome = await getQueueResult(delivery, ctx);
      expect(outcome.retryMessages, "every message stored at its first delivery").toEqual([]);
      totals.batches++;
      totals.delivered += batch.length;
      totals.acked += outcome.ackAll ? batch.length : outcome.explicitAcks.length;
    }
  };
  const snapshot = (): Snapshot => ({
    requests: totals.requests,
    request: d1Counts(requestD1),
    consumer: d1Counts(consumerD1),
    doCalls: new Map(doCalls),
    messages: sent.length,
    messageBytes: sent.reduce((n, m) => n + m.bytes, 0),
    batches: totals.batches,
    delivered: totals.delivered,
    dbSize: consumerD1.sizeAfter,
  });

  const end = WARM_MS + STEADY_MS;
  let steadyFrom: Snapshot | undefined;
  for (const [slot, who] of timetable()) {
    const t = slot * SLOT_MS;
    vi.setSystemTime(epoch + t);
    await deliver(epoch + t);
    steadyFrom ??= t >= WARM_MS ? snapshot() : undefined;
    const answers = await Promise.all(who.map((p) => ask(p, s.stream, requestEnv)));
    totals.requests += answers.length;
    totals.failures += answers.filter((ok) => !ok).length;
  }
  vi.setSystemTime(epoch + end);
  await deliver(epoch + end);
  const steadyTo = snapshot();
  // The last batch, left open at the end, is delivered too: every message exactly once.
  vi.setSystemTime(epoch + end + BATCHING.maxBatchTimeout * 1000);
  await deliver(epoch + end + BATCHING.maxBatchTimeout * 1000);
  if (!steadyFrom) throw new Error("the run never reached steady state");
  expect(totals.failures, "every request answered 200 with a whole body").toBe(0);
  expect(totals.delivered, "every message delivered").toBe(sent.length);
  expect(totals.acked, "every message acked").toBe(sent.length);

  const queueOpsPerMessage =
    (3 * sent.reduce((n, m) => n + units(m.bytes), 0)) / Math.max(1, sent.length);
  const figures = await steadyState(steadyFrom, steadyTo, queueOpsPerMessage);
  results.set(s.key, figures);
  return figures;
}

/** Steady-state figures: what was counted between the two snapshots. */
async function steadyState(from: Snapshot, to: Snapshot, queueOpsPerMessage: number) {
  const requests = to.requests - from.requests;
  const messages = to.messages - from.messages;
  const delivered = to.delivered - from.delivered;
  const batches = to.batches - from.batches;
  const perRequest = (n: number) => round(n / requests);
  // The consumer's work is per message delivered; with one message per request, per request.
  const perMessage = (n: number) => round((n / delivered) * (messages / requests));
  const diff = (x: Map<string, number>, y: Map<string, number>) =>
    [...y].map(([k, n]): [string, number] => [k, n - (x.get(k) ?? 0)]).filter(([, n]) => n > 0);

  const doCalls = diff(from.doCalls, to.doCalls);
  const isBefore = (name: string) => ADMISSION_METHODS.has(name.slice(name.indexOf(".") + 1));
  const sum = (pairs: [string, number][]) => pairs.reduce((n, [, c]) => n + c, 0);

  const request = d1Diff(from.request, to.request);
  const consumer = d1Diff(from.consumer, to.consumer);
  request.rowsRead += await rowsReadWithoutMeta(from.request, to.request);
  consumer.rowsRead += await rowsReadWithoutMeta(from.consumer, to.consumer);

  const byTable: Record<string, number> = {};
  for (const [sql, n] of diff(from.request.bySql, to.request.bySql)) {
    byTable[tableOf(sql)] = (byTable[tableOf(sql)] ?? 0) + n;
  }
  const consumerByTable: Figures["d1Consumer"] = {};
  let consumerSqlMs = 0;
  for (const [sql, n] of diff(from.consumer.bySql, to.consumer.bySql)) {
    const was = from.consumer.metaBySql.get(sql) ?? { rowsRead: 0, rowsWritten: 0, sqlMs: 0 };
    const now = to.consumer.metaBySql.get(sql) ?? was;
    consumerSqlMs += now.sqlMs - was.sqlMs;
    consumerByTable[tableOf(sql)] = {
      statements: perMessage(n),
      rowsWritten: perMessage(now.rowsWritten - was.rowsWritten),
      rowsRead: perMessage(now.rowsRead - was.rowsRead),
    };
  }
  const mostRepeated = Math.max(
    0,
    ...diff(from.request.byCall, to.request.byCall).map(([, n]) => n),
  );
  const grown = to.dbSize !== undefined && from.dbSize !== undefined ? to.dbSize - from.dbSize : 0;

  return {
    requests,
    requestsPerSecond: round(requests / (STEADY_MS / 1000)),
    workerRequests: round(1 + perMessage(batches)),
    consumerInvocations: perMessage(batches),
    doCallsBefore: perRequest(sum(doCalls.filter(([name]) => isBefore(name)))),
    doCallsAfter: perRequest(sum(doCalls.filter(([name]) => !isBefore(name)))),
    doCallsByMethod: Object.fromEntries(doCalls.map(([name, n]) => [name, perRequest(n)])),
    queueMessages: perRequest(messages),
    queueOperations: round(perRequest(messages) * queueOpsPerMessage),
    messageBytes: Math.round((to.messageBytes - from.messageBytes) / Math.max(1, messages)),
    batchSize: round(delivered / Math.max(1, batches)),
    d1Statements: round(perRequest(request.statements) + perMessage(consumer.statements)),
    d1StatementsRequestPath: perRequest(request.statements),
    d1StatementsConsumer: perMessage(consumer.statements),
    d1StatementsRequestPathByTable: Object.fromEntries(
      Object.entries(byTable).map(([t, n]) => [t, perRequest(n)]),
    ),
    d1Consumer: consumerByTable,
    d1ConsumerSqlMsPerBatch: round(consumerSqlMs / Math.max(1, batches)),
    d1RowsWritten: round(perRequest(request.rowsWritten) + perMessage(consumer.rowsWritten)),
    d1RowsWrittenRequestPath: perRequest(request.rowsWritten),
    d1RowsWrittenConsumer: perMessage(consumer.rowsWritten),
    d1RowsRead: round(perRequest(request.rowsRead) + perMessage(consumer.rowsRead)),
    d1RowsReadRequestPath: perRequest(request.rowsRead),
    d1RowsReadConsumer: perMessage(consumer.rowsRead),
    d1RequestPathMostRepeated: mostRepeated,
    dbBytesPerLogRow: delivered > 0 && grown > 0 ? Math.round(grown / delivered) : null,
  } satisfies Figures;
}

function d1Counts(t: D1Tally): D1Counts {
  return {
    statements: t.statements,
    rowsRead: t.rowsRead,
    rowsWritten: t.rowsWritten,
    bySql: new Map(t.bySql),
    byCall: new Map(t.byCall),
    metaBySql: new Map([...t.metaBySql].map(([k, v]) => [k, { ...v }])),
    withoutMeta: new Map([...t.withoutMeta].map(([k, v]) => [k, v.count])),
  };
}

function d1Diff(from: D1Counts, to: D1Counts) {
  return {
    statements: to.statements - from.statements,
    rowsRead: to.rowsRead - from.rowsRead,
    rowsWritten: to.rowsWritten - from.rowsWritten,
  };
}

/**
 * Rows read by statements that came back without meta (drizzle's raw()): each distinct
 * statement is run once more through all(), outside the counters, for D1's own figure.
 */
async function rowsReadWithoutMeta(from: D1Counts, to: D1Counts): Promise<number> {
  let rows = 0;
  for (const [key, n] of to.withoutMeta) {
    const times = n - (from.withoutMeta.get(key) ?? 0);
    if (times === 0) continue;
    const [sql, params] = JSON.parse(key) as [string, unknown[]];
    if (!/^\s*(select|with)\b/i.test(sql) || /\b(insert|update|delete)\b/i.test(sql)) {
      throw new Error(`a statement without meta that may write: ${sql.slice(0, 80)}`);
    }
    const result = await env.DB.prepare(sql)
      .bind(...params)
      .all();
    rows += times * result.meta.rows_read;
  }
  return rows;
}

/** The table a statement writes, else the one it reads last (the main FROM after subqueries). */
function tableOf(sql: string): string {
  const written = /\b(?:insert\s+into|update)\s+"?(\w+)/i.exec(sql)?.[1];
  if (written) return written;
  const read = [...sql.matchAll(/\bfrom\s+"?(\w+)/gi)].map((m) => m[1]);
  return read.at(-1) ?? "?";
}

/** Every person's requests, at phase + k·period, grouped into slots. Seeded: runs repeat. */
function timetable(): [number, Person[]][] {
  const slots = new Map<number, Person[]>();
  for (const p of people) {
    for (let t = p.phase; t < WARM_MS + STEADY_MS; t += p.period) {
      const slot = Math.floor(t / SLOT_MS);
      slots.set(slot, [...(slots.get(slot) ?? []), p]);
    }
  }
  return [...slots].sort(([x], [y]) => x - y);
}

/** One proxied request as Claude Desktop sends it, its body read to the end. */
async function ask(p: Person, stream: boolean, requestEnv: Env): Promise<boolean> {
  const ctx = createExecutionContext();
  const request = new Request<unknown, IncomingRequestCfProperties>(
    `${ORIGIN}/v1/anthropic/${p.proxyId}/v1/messages`,
    {
      method: "POST",
      headers: p.headers,
      body: JSON.stringify({
        model: MODEL,
        max_tokens: 64,
        stream,
        messages: [{ role: "user", content: "What is the capital of France?" }],
      }),
    },
  );
  const res = await worker.fetch(request, requestEnv, ctx);
  const body = await res.text();
  await waitOnExecutionContext(ctx);
  return res.status === 200 && body.includes(stream ? "message_stop" : '"type":"message"');
}

/**
 * The queue's batching: a batch is delivered when it holds maxBatchSize messages, or
 * maxBatchTimeout after its first message arrived, whichever comes first.
 */
class Batcher {
  #open: SentMessage[] = [];
  #closed: SentMessage[][] = [];

  constructor(
    private readonly maxSize: number,
    private readonly timeoutMs: number,
  ) {}

  add(m: SentMessage): void {
    const first = this.#open[0];
    if (first && m.at >= first.at + this.timeoutMs) this.#close();
    this.#open.push(m);
    if (this.#open.length >= this.maxSize) this.#close();
  }

  /** The batches due by `now`, in order. */
  take(now: number): SentMessage[][] {
    const first = this.#open[0];
    if (first && now >= first.at + this.timeoutMs) this.#close();
    const due = this.#closed;
    this.#closed = [];
    return due;
  }

  #close(): void {
    this.#closed.push(this.#open);
    this.#open = [];
  }
}

/** People, with their own standard and passthrough keys (minted through the admin API). */
async function addPeople(a: Admin, proxyId: string, providerKeyId: string): Promise<Person[]> {
  const random = mulberry32(SEED);
  const now = Date.now();
  const ids = Array.from({ length: PEOPLE }, (_, i) => `usr_scale_${String(i).padStart(3, "0")}`);
  // Accounts go straight into D1 (the admin API would hash a password for each); their keys are
  // minted by the API, so the proxy finds them exactly as it finds any other.
  await env.DB.batch(
    ids.map((id, i) =>
      env.DB.prepare(
        "INSERT INTO users (id, org_id, email, name, role, created_at) VALUES (?, ?, ?, ?, 'member', ?)",
      ).bind(id, a.orgId, `person${i}@acme.test`, `Person ${i}`, now),
    ),
  );
  const mint = (ownerUserId: string, kind: "standard" | "passthrough") =>
    a.json<{ token: string }>("/virtual-keys", {
      body: {
        name: `${kind} key`,
        kind,
        ownerUserId,
        ...(kind === "standard" ? { providerKeyId } : {}),
      },
    });
  const out: Person[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const minted = await Promise.all(
      ids.slice(i, i + 10).map(async (userId) => ({
        userId,
        standard: await mint(userId, "standard"),
        passthrough: await mint(userId, "passthrough"),
      })),
    );
    for (const { userId, standard, passthrough } of minted) {
      const period = PERIOD_MIN + Math.floor(random() * (PERIOD_MAX - PERIOD_MIN + 1));
      out.push({
        userId,
        proxyId,
        period,
        phase: Math.floor(random() * period),
        // What Claude Desktop sends with the profile: both keys and the agent label.
        headers: {
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
          "x-api-key": standard.token,
          "x-archestra-virtual-key": passthrough.token,
          "x-archestra-agent-id": "anthropic_claude_desktop",
        },
      });
    }
  }
  return out;
}

/** A small seeded generator (mulberry32), so every run simulates the same people. */
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function units(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / QUEUE_UNIT_BYTES));
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

/** A queue consumer's batching settings from wrangler.toml's `[[queues.consumers]]` tables. */
function consumerSettings(toml: string, queue: string) {
  for (const section of toml.split(/^(?=\[)/m)) {
    if (!section.startsWith("[[queues.consumers]]")) continue;
    const value = (key: string) =>
      new RegExp(`^\\s*${key}\\s*=\\s*(?:"([^"]*)"|([0-9.]+))`, "m").exec(section);
    if (value("queue")?.[1] !== queue) continue;
    const maxBatchSize = Number(value("max_batch_size")?.[2]);
    const maxBatchTimeout = Number(value("max_batch_timeout")?.[2]);
    if (!(maxBatchSize > 0) || !(maxBatchTimeout > 0)) {
      throw new Error(`wrangler.toml: no max_batch_size or max_batch_timeout for ${queue}`);
    }
    return { maxBatchSize, maxBatchTimeout };
  }
  throw new Error(`wrangler.toml: no [[queues.consumers]] for ${queue}`);
}

function table(): string {
  const fixed = (n: number) => n.toFixed(4);
  const rows: [string, (f: Figures) => string][] = [
    ["requests measured (steady state)", (f) => `${f.requests} (${f.requestsPerSecond}/s)`],
    ["Worker requests (fetch + consumer)", (f) => fixed(f.workerRequests)],
    ["DO calls before the upstream fetch", (f) => fixed(f.doCallsBefore)],
    ["DO calls after the response", (f) => fixed(f.doCallsAfter)],
    ["queue messages sent", (f) => fixed(f.queueMessages)],
    ["queue operations (write+read+delete)", (f) => fixed(f.queueOperations)],
    ["message size (bytes)", (f) => String(f.messageBytes)],
    ["messages per consumer batch", (f) => f.batchSize.toFixed(1)],
    ["D1 statements, request path", (f) => fixed(f.d1StatementsRequestPath)],
    ["D1 statements, consumer", (f) => fixed(f.d1StatementsConsumer)],
    ["D1 statements, total", (f) => fixed(f.d1Statements)],
    ["D1 rows written (all by the consumer)", (f) => fixed(f.d1RowsWritten)],
    ["D1 rows read, request path", (f) => fixed(f.d1RowsReadRequestPath)],
    ["D1 rows read, consumer", (f) => fixed(f.d1RowsReadConsumer)],
    ["D1 bytes per stored log row", (f) => String(f.dbBytesPerLogRow ?? "–")],
  ];
  const header = ["per proxied request", ...SCENARIOS.map((s) => `(${s.key}) ${s.label}`)];
  const body = rows.map(([name, get]) => [
    name,
    ...SCENARIOS.map((s) => {
      const f = results.get(s.key);
      return f ? get(f) : "–";
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  return [
    `Scale model: ${PEOPLE} people, one request every ${PERIOD_MIN / 1000}–${PERIOD_MAX / 1000} s each; queue batches of up to ${BATCHING.maxBatchSize} messages or ${BATCHING.maxBatchTimeout} s; steady state after ${WARM_MS / 1000} s, over ${STEADY_MS / 1000} s`,
    line(header),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...body.map(line),
  ].join("\n");
}
