// OTLP export under faults, with real traffic: LLM requests through the proxy to the fake
// Anthropic upstream, their log rows through the telemetry queue to D1, and the consumer's
// export to the real OTLP receiver on loopback, pointed at (a) a receiver that accepts, (b) a
// closed port, (c) a receiver slower than the export timeout, (d) one answering 500 and (e) one
// answering 401. In every case the proxied answer is the one given without an exporter, every log
// row is in D1 and the export adds no D1 row; the outbox's counters (read through the API) show
// what waits and what was dropped; its alarm (run by the test, never waited for) retries, gives
// up after the time bound (the test ages the payloads rather than waiting 15 minutes), delivers
// once the collector recovers, and never retries a 401.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  exportOutbox,
  OUTBOX_MAX_BYTES,
  OUTBOX_MAX_PAYLOADS,
  OUTBOX_RETRY_WINDOW_MS,
} from "../../durable-objects/export-outbox";
import type { ExporterDeliveryView, TelemetryExporterAnswer } from "../../shared/api-types";
import { EXPORT_TIMEOUT_MS } from "../../workers/observability/deliver";
import type { OtlpPayload } from "../../workers/observability/payloads";
import { type Admin, admin, call, profileHeaders, proxyWithKey } from "./helpers";
import { loggedRow } from "./logs";
import { answerWith, collector, received } from "./otlp-collector";

let a: Admin;
let proxyId: string;
/** The profile's headers, less its agent id (each request sends its own). */
let withoutAgent: Record<string, string>;
/** The proxied answer without an exporter, for comparison. */
let baseline: { status: number; body: unknown };

const CLOSED_PORT = "http://127.0.0.1:9";
let seq = 0;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
  const { headers } = await profileHeaders(a, proxyId);
  withoutAgent = Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== "x-archestra-agent-id"),
  );
  // Warms up the day's rollup rows, so a later request adds exactly one D1 row: its log row.
  const first = await proxied();
  baseline = { status: first.status, body: first.body };
  await loggedRow(a, "", (r) => r.agentId === first.agent);
});

/** One LLM request through the proxy, tagged with its own agent id to find its log row. */
async function proxied() {
  const agent = `export-faults-${++seq}`;
  const started = Date.now();
  const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
    method: "POST",
    headers: { ...withoutAgent, "x-archestra-agent-id": agent },
    body: JSON.stringify({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  const text = await res.text();
  const body = JSON.parse(text.replace(/msg_fake_\w+/g, "msg_ID")) as unknown;
  return { agent, status: res.status, body, ms: Date.now() - started };
}

/** Row counts of every table, to show what a request and its export wrote to D1. */
async function tableCounts(): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'",
  ).all<{ name: string }>();
  const counts: Record<string, number> = {};
  for (const { name } of results) {
    const row = await env.DB.prepare(`SELECT count(*) AS n FROM "${name}"`).first<{ n: number }>();
    counts[name] = row?.n ?? 0;
  }
  return counts;
}

function grown(before: Record<string, number>, after: Record<string, number>) {
  return Object.fromEntries(
    Object.entries(after)
      .filter(([name, n]) => n !== (before[name] ?? 0))
      .map(([name, n]) => [name, n - (before[name] ?? 0)]),
  );
}

/** A fresh exporter (the outbox's backlog and counters go with the old one). */
async function exportTo(endpoint: string, extra: Record<string, unknown> = {}) {
  const res = await a.api("/telemetry/exporter", { method: "DELETE" });
  expect([204, 404]).toContain(res.status);
  await a.json("/telemetry/exporter", {
    method: "PUT",
    body: { protocol: "http/protobuf", endpoint, samplingRatio: 1, ...extra },
  });
}

async function delivery(): Promise<ExporterDeliveryView> {
  const { exporter } = await a.json<TelemetryExporterAnswer>("/telemetry/exporter");
  if (!exporter) throw new Error("no exporter");
  return exporter.delivery;
}

/** Waits until the outbox's counters satisfy `done`. */
function deliveryWhen(done: (d: ExporterDeliveryView) => boolean, timeout = 10_000) {
  return vi.waitFor(
    async () => {
      const d = await delivery();
      if (!done(d)) throw new Error(`not yet: ${JSON.stringify(d)}`);
      return d;
    },
    { timeout, interval: 50 },
  );
}

const outbox = () => exportOutbox(env, a.orgId);

/**
 * Sends a request with the exporter in place and waits for the export's outcome to reach the
 * outbox; checks the answer, the log row and that D1 grew by that row only.
 */
async function requestAndExport(settled: (d: ExporterDeliveryView) => boolean, timeout?: number) {
  const before = await tableCounts();
  const r = await proxied();
  expect(r.status).toBe(baseline.status);
  expect(r.body).toEqual(baseline.body);
  const { row } = await loggedRow(a, "", (x) => x.agentId === r.agent);
  expect(row.status).toBe(200);
  const d = await deliveryWhen(settled, timeout);
  expect(grown(before, await tableCounts())).toEqual({ llm_requests: 1 });
  return { request: r, delivery: d };
}

/** Both payloads of the batch (its spans and its metric points) are waiting. */
const bothPending = (d: ExporterDeliveryView) =>
  d.pending.payloads === 2 && d.pending.spans > 0 && d.pending.points > 0;

/** Makes the outbox's payloads older than the retry window, as if 15 minutes had passed. */
async function ageOutbox() {
  await runInDurableObject(outbox(), (_instance, state: DurableObjectState) => {
    state.storage.sql.exec(
      "UPDATE payloads SET first_failed_at = first_failed_at - ?",
      OUTBOX_RETRY_WINDOW_MS + 1,
    );
  });
}

describe("export to a collector that accepts", () => {
  it("delivers the request's spans and metrics; D1 holds the row and nothing more", async () => {
    await exportTo(collector("faults-ok"));
    const { delivery: d } = await requestAndExport(
      (x) => x.exported.spans > 0 && x.exported.points > 0,
    );
    expect(d.pending.payloads).toBe(0);
    expect(d.dropped).toEqual({ spans: 0, points: 0 });
    expect(d.lastSuccessAt).not.toBeNull();
    expect(d.lastError).toBeNull();
    const got = await received("faults-ok");
    const spans = got.traces.flatMap((t) => t.spans);
    expect(spans).toHaveLength(d.exported.spans);
    const chat = spans.find((s) => s.name.startsWith("chat claude-sonnet-4-5"));
    expect(chat?.attributes["gen_ai.request.model"]).toBe("claude-sonnet-4-5-20250929");
    expect(spans.some((s) => s.attributes["gatehouse.agent.id"] === `export-faults-${seq}`)).toBe(
      true,
    );
    expect(got.metrics.flatMap((m) => m.metrics).length).toBeGreaterThan(0);
    expect(got.requests.map((r) => r.path).sort()).toEqual([
      "/faults-ok/v1/metrics",
      "/faults-ok/v1/traces",
    ]);
  });
});

describe("export to a collector that is down", () => {
  it("keeps the payloads, retries them with backoff, and drops and counts them after the time bound", async () => {
    await exportTo(CLOSED_PORT);
    const { delivery: first } = await requestAndExport(bothPending);
    expect(first.lastError).toMatchObject({ status: null });
    expect(first.lastError?.body).toMatch(/could not be reached/);
    expect(first.exported).toEqual({ spans: 0, points: 0 });
    expect(first.nextRetryAt).not.toBeNull();

    // A retry that fails again keeps them, and waits longer before the next one.
    const before = await tableCounts();
    expect(await runDurableObjectAlarm(outbox())).toBe(true);
    const second = await delivery();
    expect(second.pending).toEqual(first.pending);
    expect(second.lastError?.at).toBeGreaterThan(first.lastError?.at ?? 0);
    expect(await runDurableObjectAlarm(outbox())).toBe(true);
    const third = await delivery();
    const gap = (d: ExporterDeliveryView) => (d.nextRetryAt ?? 0) - (d.lastError?.at ?? 0);
    expect(gap(third)).toBeGreaterThan(gap(second));

    // 15 minutes after their first failure they are dropped, and counted.
    await ageOutbox();
    expect(await runDurableObjectAlarm(outbox())).toBe(true);
    const dropped = await delivery();
    expect(dropped.pending).toEqual({ payloads: 0, spans: 0, points: 0 });
    expect(dropped.dropped).toEqual({ spans: first.pending.spans, points: first.pending.points });
    expect(dropped.nextRetryAt).toBeNull();
    expect(await runDurableObjectAlarm(outbox())).toBe(false);
    expect(grown(before, await tableCounts())).toEqual({});
  });

  it("sends what waits to a changed endpoint as soon as the exporter is saved", async () => {
    await exportTo(CLOSED_PORT);
    const { delivery: waiting } = await requestAndExport(bothPending);
    await answerWith("faults-moved", { mode: "ok" });
    await a.json("/telemetry/exporter", {
      method: "PUT",
      body: { protocol: "http/protobuf", endpoint: collector("faults-moved"), samplingRatio: 1 },
    });
    // Saving schedules the retry at once; the test runs it rather than waiting for it.
    await runDurableObjectAlarm(outbox());
    const d = await deliveryWhen((x) => x.pending.payloads === 0);
    expect(d.exported).toEqual({ spans: waiting.pending.spans, points: waiting.pending.points });
    const got = await received("faults-moved");
    expect(got.traces.flatMap((t) => t.spans)).toHaveLength(waiting.pending.spans);
  });
});

describe("export to a collector slower than the export timeout", () => {
  it("answers the request as usual, gives up on the export at the timeout, and keeps the payloads", async () => {
    await answerWith("faults-slow", { mode: "ok", delayMs: EXPORT_TIMEOUT_MS + 1_500 });
    await exportTo(collector("faults-slow"));
    const { request, delivery: d } = await requestAndExport(bothPending, 20_000);
    // The export never sits on the request's path.
    expect(request.ms).toBeLessThan(EXPORT_TIMEOUT_MS);
    expect(d.lastError).toMatchObject({ status: null });
    expect(d.lastError?.body).toMatch(/did not answer within 5 s/);
    expect(d.exported).toEqual({ spans: 0, points: 0 });

    await ageOutbox();
    expect(await runDurableObjectAlarm(outbox())).toBe(true);
    const after = await delivery();
    expect(after.pending.payloads).toBe(0);
    expect(after.dropped).toEqual({ spans: d.pending.spans, points: d.pending.points });
  }, 30_000);
});

describe("export to a collector answering 500", () => {
  it("keeps the payloads with the collector's answer, and delivers them once it recovers", async () => {
    await answerWith("faults-500", { mode: "status", status: 500, body: "collector overloaded" });
    await exportTo(collector("faults-500"));
    const { delivery: d } = await requestAndExport(bothPending);
    expect(d.lastError).toMatchObject({ status: 500, body: "collector overloaded" });

    expect(await runDurableObjectAlarm(outbox())).toBe(true);
    expect((await delivery()).pending.payloads).toBe(2);

    await answerWith("faults-500", { mode: "ok" });
    expect(await runDurableObjectAlarm(outbox())).toBe(true);
    const recovered = await delivery();
    expect(recovered.pending).toEqual({ payloads: 0, spans: 0, points: 0 });
    expect(recovered.exported).toEqual({ spans: d.pending.spans, points: d.pending.points });
    expect(recovered.dropped).toEqual({ spans: 0, points: 0 });
    expect(recovered.lastSuccessAt).toBeGreaterThanOrEqual(d.lastError?.at ?? 0);
    const got = await received("faults-500");
    expect(got.traces.flatMap((t) => t.spans)).toHaveLength(d.pending.spans);
    expect(got.metrics.length).toBe(1);
    // The consumer's two tries, one retry (a retry that fails waits with the rest rather than
    // trying each), then both delivered.
    expect(got.requests).toHaveLength(5);
  });
});

describe("export to a collector answering 401", () => {
  it("drops the payloads at once, shows the collector's answer, and never retries", async () => {
    await answerWith("faults-401", {
      mode: "status",
      status: 401,
      body: '{"code":16,"message":"invalid API key"}',
    });
    await exportTo(collector("faults-401"), { headers: "Authorization: Bearer wrong-key-123" });
    const { delivery: d } = await requestAndExport(
      (x) => x.dropped.spans > 0 && x.dropped.points > 0,
    );
    expect(d.pending).toEqual({ payloads: 0, spans: 0, points: 0 });
    expect(d.exported).toEqual({ spans: 0, points: 0 });
    expect(d.lastError).toMatchObject({ status: 401 });
    expect(d.lastError?.body).toContain("invalid API key");
    expect(d.nextRetryAt).toBeNull();
    expect(await runDurableObjectAlarm(outbox())).toBe(false);
    const got = await received("faults-401");
    expect(got.requests.map((r) => r.path).sort()).toEqual([
      "/faults-401/v1/metrics",
      "/faults-401/v1/traces",
    ]);
    expect(got.requests[0]?.headers.authorization).toBe("Bearer wrong-key-123");
    // The GET shows the answer, and never the header's value.
    const text = await (await a.api("/telemetry/exporter")).text();
    expect(text).toContain("invalid API key");
    expect(text).not.toContain("wrong-key-123");
  });
});

/** An OTLP/JSON export of one span carrying `pad` characters in an attribute. */
function bigTracePayload(pad: number): OtlpPayload {
  const json = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [] },
        scopeSpans: [
          {
            scope: { name: "outbox-test" },
            spans: [
              {
                traceId: "0af7651916cd43dd8448eb211c80319c",
                spanId: "b7ad6b7169203331",
                name: "big span",
                kind: 2,
                startTimeUnixNano: "1700000000000000000",
                endTimeUnixNano: "1700000001000000000",
                attributes: [{ key: "pad", value: { stringValue: "x".repeat(pad) } }],
              },
            ],
          },
        ],
      },
    ],
  });
  return {
    signal: "traces",
    contentType: "application/json",
    body: new TextEncoder().encode(json),
    items: 1,
  };
}

const report = (retry: OtlpPayload[]) => ({
  orgId: a.orgId,
  at: Date.now(),
  exported: { spans: 0, points: 0 },
  dropped: { spans: 0, points: 0 },
  retry,
});

describe("the outbox's storage", () => {
  it("keeps a payload larger than a storage value and delivers it whole", async () => {
    await answerWith("faults-big", { mode: "ok" });
    await exportTo(collector("faults-big"), { protocol: "http/json" });
    const pad = 2_500_000;
    await outbox().record(report([bigTracePayload(pad)]));
    expect((await delivery()).pending).toEqual({ payloads: 1, spans: 1, points: 0 });
    expect(await runDurableObjectAlarm(outbox())).toBe(true);
    expect((await delivery()).exported).toEqual({ spans: 1, points: 0 });
    const [span] = (await received("faults-big")).traces.flatMap((t) => t.spans);
    expect(span?.name).toBe("big span");
    expect(String(span?.attributes.pad).length).toBe(pad);
  });

  it(`holds at most ${OUTBOX_MAX_PAYLOADS} payloads and ${OUTBOX_MAX_BYTES / 2 ** 20} MB, dropping and counting the oldest`, async () => {
    await exportTo(CLOSED_PORT);
    const tiny: OtlpPayload = { ...bigTracePayload(0), signal: "metrics" };
    await outbox().record(report(Array.from({ length: OUTBOX_MAX_PAYLOADS + 1 }, () => tiny)));
    let d = await delivery();
    expect(d.pending).toEqual({ payloads: OUTBOX_MAX_PAYLOADS, spans: 0, points: 500 });
    expect(d.dropped).toEqual({ spans: 0, points: 1 });
    // Three of 8 MB: the tiny ones make room first, then the oldest large one.
    const large = bigTracePayload(8 * 2 ** 20);
    for (let i = 0; i < 3; i++) await outbox().record(report([large]));
    d = await delivery();
    expect(d.pending).toEqual({ payloads: 2, spans: 2, points: 0 });
    expect(d.dropped).toEqual({ spans: 1, points: OUTBOX_MAX_PAYLOADS + 1 });
  });
});
