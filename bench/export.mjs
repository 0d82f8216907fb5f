#!/usr/bin/env node
// `npm run bench:export`: what OTLP export costs the request path. Two Gatehouse Workers from
// one bundle (`wrangler deploy --dry-run`), each served by its own workerd (Miniflare) on its own
// port with its own local D1, Durable Objects and telemetry queue, set up alike through the API:
// "export off" has no exporter; "export on" has one (`PUT /api/telemetry/exporter`, sampling
// ratio 1) pointing at a collector on loopback (bench/otlp-collector.mjs). Spans and metrics
// leave from the queue consumer, in the same workerd process that serves the requests, so
// whatever exporting costs the requests shows in export on's figures.
//
// Same fake upstream, client, closed loop, warm-up, unmeasured connection burst, idle wait and
// interleaved rotating rounds as bench/workerd-direct.mjs, for direct, export off and export
// on: non-streaming and streaming at c=1 (added p50 and p99, to the end of the body and to the
// first streamed byte), non-streaming at c=50 (throughput, CPU). The run then waits until the
// collector holds the spans of every request export on logged, and fails if it got no export.
// It writes the section between the export-bench markers of BENCHMARKS.md (`npm run bench`
// runs this as one of its parts and keeps the section) and the raw figures to
// bench/export-results.json.
//
// Environment: BENCH_QUICK=1 for a short smoke run (a tenth of the requests);
// BENCH_EXPORT_PROTOCOL=http/json for OTLP/JSON (default http/protobuf);
// BENCH_DEADLINE_MS (epoch ms, set by `npm run bench`) to end by then whatever happens.
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeUpstreamThread } from "./fake-upstream.mjs";
import { addedMs, logSince, markdownTable, ms, plainMs, signed } from "./format.mjs";
import {
  closedLoop,
  interleavedRounds,
  openConnections,
  sliceOf,
  timedRequest,
  workloads,
} from "./measure.mjs";
import { startCollectorThread } from "./otlp-collector.mjs";
import { machineFacts, sectionEnd, sectionStart, writeResults, writeSection } from "./outputs.mjs";
import { guardRun, killNow } from "./processes.mjs";
import { startSampler } from "./sampler.mjs";
import { growthIn, peakIn, percentile, summarize } from "./stats.mjs";
import { directTarget, freePort, gatehouseTarget, versions } from "./targets.mjs";
import { bundleWorker, settleWorkerd, startGatehouseWorkerd } from "./workerd-host.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const quick = process.env.BENCH_QUICK === "1";
const scale = quick ? 0.1 : 1;
const PROTOCOL = process.env.BENCH_EXPORT_PROTOCOL ?? "http/protobuf";
if (PROTOCOL !== "http/protobuf" && PROTOCOL !== "http/json") {
  throw new Error(`BENCH_EXPORT_PROTOCOL is http/protobuf or http/json, not ${PROTOCOL}`);
}

const PACE_MS = 2;
const DELTAS = 200;
/** Six rounds: each target runs first, second and third twice, and the spread of its six
 * per-round p50s is the run's noise. */
const ROUNDS = 6;
const REQUEST_TIMEOUT_MS = 10_000;
/** Longest wait, after the measured cells, for the collector to hold every span. */
const EXPORT_WAIT_MS = 30_000;
/** Whatever happens, everything is stopped and the process exits after this long. */
const WATCHDOG_MS = Math.min(
  4 * 60_000,
  Number(process.env.BENCH_DEADLINE_MS ?? Number.POSITIVE_INFINITY) - Date.now(),
);

/**
 * Requests per target and cell, and the wall-clock cap for one target in one cell (split over
 * the rounds), in the order they run.
 * @type {{ workload: "json" | "stream", concurrency: number, count: number, capMs: number }[]}
 */
const PLAN = [
  { workload: "json", concurrency: 1, count: 1200, capMs: 9_000 },
  { workload: "stream", concurrency: 1, count: 30, capMs: 18_000 },
  { workload: "json", concurrency: 50, count: 3000, capMs: 6_000 },
];

/** The targets' keys (in results and BENCHMARKS.md's tables), in the order of the rounds. */
const OFF = "export-off";
const ON = "export-on";
/** @type {Record<string, string>} */
const LABELS = { direct: "direct", [OFF]: "export off", [ON]: "export on" };

const runStart = Date.now();
const log = logSince(runStart);
/** @type {import("miniflare").Miniflare[]} */
const instances = [];
/** @type {number[]} The workerd processes Miniflare started for us. */
let workerdPids = [];
/** @type {import("./fake-upstream.mjs").FakeUpstream | undefined} */
let fake;
/** @type {import("./otlp-collector.mjs").Collector | undefined} */
let collector;
/** @type {string | undefined} */
let bundleDir;
/** @type {Promise<void> | undefined} */
let cleaning;

function cleanup() {
  cleaning ??= (async () => {
    await Promise.allSettled(instances.map((mf) => mf.dispose()));
    await fake?.close().catch(() => {});
    await collector?.close().catch(() => {});
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  })();
  return cleaning;
}

guardRun({
  stopping: "the export benchmark's workerd",
  cleanup,
  lastResort: () => killNow(workerdPids),
  watchdogMs: WATCHDOG_MS,
  overdue: `The export benchmark ran past ${(WATCHDOG_MS / 1000).toFixed(0)} s; stopping.`,
});

/**
 * One Gatehouse Worker of the bundle in its own workerd, set up as a new customer would
 * (first admin, provider key to the fake, proxy, Claude Desktop profile).
 * @param {string} bundle
 * @param {string} name The target's key.
 * @param {string} fakeUrl
 */
async function serve(bundle, name, fakeUrl) {
  const port = await freePort();
  const started = await startGatehouseWorkerd(root, bundle, port, (mf) => instances.push(mf));
  workerdPids = [...workerdPids, ...started.pids];
  const baseUrl = `http://127.0.0.1:${port}`;
  const { target, admin } = await gatehouseTarget(baseUrl, fakeUrl);
  return { baseUrl, target: { ...target, name }, admin, mf: started.mf, pid: started.pids[0] };
}

/**
 * The admin API with a personal API token, for what gatehouseTarget's session does not send
 * (PUT) or reads later.
 * @param {string} baseUrl
 * @param {string} token
 */
function tokenApi(baseUrl, token) {
  /** @param {"GET" | "PUT"} method @param {string} path @param {unknown} [body] */
  return async (method, path, body) => {
    const res = await fetch(`${baseUrl}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} /api${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** @param {import("./measure.mjs").LoopResult} loop @param {"totalMs" | "ttfbMs"} key */
function roundP50(loop, key) {
  const values = loop.results
    .filter((r) => r.ok)
    .map((r) => r[key])
    .sort((a, b) => a - b);
  return percentile(values, 50);
}

async function main() {
  log(quick ? "Quick run (BENCH_QUICK=1)." : "Full run.");
  const loadBefore = loadavg();
  fake = await startFakeUpstreamThread({ paceMs: PACE_MS, deltas: DELTAS });
  collector = await startCollectorThread();
  log(`Fake Anthropic upstream on ${fake.url}, OTLP collector on ${collector.url}.`);
  log("Bundling the Worker (wrangler deploy --dry-run)...");
  bundleDir = bundleWorker(root);
  // One after the other: each start finds its own workerd among our child processes.
  const off = await serve(bundleDir, OFF, fake.url);
  const on = await serve(bundleDir, ON, fake.url);
  log(`Export off on ${off.baseUrl}, export on on ${on.baseUrl} (workerd pids ${workerdPids}).`);

  const { token } = await on.admin.post("/tokens", { name: "bench export" });
  const onApi = tokenApi(on.baseUrl, token);
  const exporter = await onApi("PUT", "/telemetry/exporter", {
    protocol: PROTOCOL,
    endpoint: collector.url,
    samplingRatio: 1,
  });
  log(`Export on: ${exporter.protocol} to ${exporter.endpoint}, sampling ratio 1.`);

  const targets = [directTarget(fake.url), off.target, on.target];
  const kinds = workloads(DELTAS);
  const kind = (/** @type {string} */ name) =>
    /** @type {import("./measure.mjs").Workload} */ (kinds.find((k) => k.name === name));
  /** Requests export on answered 200 to, warm-ups included: each is a logged row. */
  let okToOn = 0;
  /** @param {string} name @param {import("./measure.mjs").LoopResult} loop */
  const counted = (name, loop) => {
    if (name === ON) okToOn += loop.results.filter((r) => r.ok).length;
    return loop;
  };

  for (const target of targets) {
    for (const workload of kinds) {
      const r = await timedRequest(target, workload, REQUEST_TIMEOUT_MS);
      log(`Smoke ${target.name} ${workload.name}: ${r.ok ? "ok" : `FAILED: ${r.error}`}`);
      if (!r.ok) throw new Error(`${target.name} ${workload.name} failed: ${r.error}`);
      if (target.name === ON) okToOn += 1;
    }
  }

  const sampler = startSampler({ [OFF]: off.pid, [ON]: on.pid });
  log("Warming up...");
  for (const target of targets) {
    for (const workload of kinds) {
      const loop = await closedLoop(target, workload, {
        concurrency: 10,
        count: Math.ceil((workload.stream ? 40 : 300) * scale),
        capMs: 8_000,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      counted(target.name, loop);
    }
  }
  const collectorBefore = await collector.counts();

  /** @type {{ workload: import("./measure.mjs").Workload, concurrency: number, loops: Record<string, import("./measure.mjs").LoopResult[]>, collector: { before: import("./otlp-collector.mjs").CollectorCounts, after: import("./otlp-collector.mjs").CollectorCounts } }[]} */
  const runs = [];
  for (const step of PLAN) {
    const workload = kind(step.workload);
    const perSlice = {
      concurrency: step.concurrency,
      ...sliceOf(step, ROUNDS, scale),
      timeoutMs: REQUEST_TIMEOUT_MS,
    };
    const before = await collector.counts();
    const loops = await interleavedRounds(targets, ROUNDS, {
      warm: async (target) =>
        counted(target.name, await openConnections(target, kinds[0], step.concurrency)),
      settle: () => settleWorkerd(workerdPids),
      slice: async (target) => counted(target.name, await closedLoop(target, workload, perSlice)),
    });
    const after = await collector.counts();
    runs.push({ workload, concurrency: step.concurrency, loops, collector: { before, after } });
    const line = targets
      .map((t) => {
        const results = loops[t.name].flatMap((l) => l.results);
        return `${t.name} ${results.filter((r) => r.ok).length}/${results.length}`;
      })
      .join(", ");
    const exports = after.traces.requests - before.traces.requests;
    log(`${workload.name} c=${step.concurrency}: ${line}; ${exports} trace exports meanwhile.`);
  }
  const sampled = await sampler.stop();
  const collectorAtEnd = await collector.counts();

  // Every request export on answered is a row in its D1 once the consumer has stored its batch
  // (within the queue's 5 s wait), and two spans (the SERVER and the CLIENT span) at the
  // collector once that batch is exported.
  log(`Waiting for export on's ${okToOn} logged requests to reach the collector...`);
  const d1 = await on.mf.getD1Database("DB");
  const rowsOf = async () =>
    Number((await d1.prepare("SELECT count(*) AS n FROM llm_requests").first("n")) ?? Number.NaN);
  const waitStart = Date.now();
  let rows = await rowsOf();
  let stats = await collector.stats();
  while (
    (rows < okToOn || stats.spans < 2 * rows) &&
    Date.now() - waitStart < EXPORT_WAIT_MS * (quick ? 0.5 : 1)
  ) {
    await new Promise((r) => setTimeout(r, 500));
    rows = await rowsOf();
    stats = await collector.stats();
  }
  const waitedMs = Date.now() - waitStart;
  const delivery = (await onApi("GET", "/telemetry/exporter")).exporter?.delivery ?? null;
  const offRows = Number(
    (await (
      await off.mf.getD1Database("DB")
    )
      .prepare("SELECT count(*) AS n FROM llm_requests")
      .first("n")) ?? Number.NaN,
  );
  log(
    `Collector: ${stats.traces.requests} trace exports (${stats.traces.bytes} bytes), ${stats.metrics.requests} metric exports (${stats.metrics.bytes} bytes), ${stats.spans} spans, ${stats.dataPoints} data points; export on logged ${rows} requests (${okToOn} answered 200), export off ${offRows}; waited ${(waitedMs / 1000).toFixed(1)} s.`,
  );

  const { samples } = sampled;
  /** @type {import("./report.mjs").Cell[]} */
  const cells = runs.map((run) => ({
    workload: run.workload.name,
    concurrency: run.concurrency,
    targets: Object.fromEntries(
      targets.map((t) => {
        const windows = run.loops[t.name];
        const gateway = t.name !== "direct";
        return [
          t.name,
          summarize(windows, {
            stream: run.workload.stream,
            paceMs: PACE_MS,
            peakRssKb: gateway ? peakIn(samples, windows, (s) => s.kb[t.name] ?? 0) : null,
            cpuTicks: gateway ? growthIn(samples, windows, (s) => s.cpu[t.name] ?? 0) : null,
          }),
        ];
      }),
    ),
  }));

  const comparisons = runs
    .filter((run) => run.concurrency === 1)
    .map((run) => {
      const key = run.workload.stream ? "ttfbMs" : "totalMs";
      const cell = /** @type {import("./report.mjs").Cell} */ (
        cells.find((c) => c.workload === run.workload.name && c.concurrency === 1)
      );
      return compare(run, cell, key);
    });

  const meta = {
    date: new Date().toISOString(),
    quick,
    machine: machineFacts(loadBefore),
    versions: versions(root),
    durationS: Math.round((Date.now() - runStart) / 1000),
    config: {
      paceMs: PACE_MS,
      deltas: DELTAS,
      rounds: ROUNDS,
      plan: PLAN,
      scale,
      protocol: PROTOCOL,
      samplingRatio: 1,
    },
  };
  const exportFacts = {
    protocol: PROTOCOL,
    collectorBeforeCells: collectorBefore,
    collectorAfterCells: collectorAtEnd,
    duringCells: runs.map((run) => ({
      workload: run.workload.name,
      concurrency: run.concurrency,
      traceRequests: run.collector.after.traces.requests - run.collector.before.traces.requests,
      metricRequests: run.collector.after.metrics.requests - run.collector.before.metrics.requests,
    })),
    collector: stats,
    waitedMs,
    loggedRows: { [ON]: rows, [OFF]: offRows },
    answeredByExportOn: okToOn,
    outbox: delivery,
  };
  const results = { ...meta, cells, comparisons, export: exportFacts };
  writeResults(join(here, "export-results.json"), results);
  const section = exportSection(results, kinds);
  console.log(`\n${section}\n`);
  writeSection("export", section);
  log("Wrote the export section of BENCHMARKS.md and bench/export-results.json.");

  if (stats.traces.requests + stats.metrics.requests === 0) {
    throw new Error("The collector got no export: export was not on. The figures prove nothing.");
  }
  if (stats.spans < 2 * rows) {
    console.error(
      `The collector got ${stats.spans} spans for ${rows} logged requests (expected ${2 * rows}) within ${EXPORT_WAIT_MS / 1000} s.`,
    );
  }
}

/**
 * Export on against export off at c=1 for one workload: added p50 and p99 over direct, their
 * differences, each target's per-round p50s, and the run's noise (the widest spread of one
 * gateway's per-round p50s).
 * @param {{ loops: Record<string, import("./measure.mjs").LoopResult[]> }} run
 * @param {import("./report.mjs").Cell} cell
 * @param {"totalMs" | "ttfbMs"} key
 */
function compare(run, cell, key) {
  const spreadOf = (/** @type {import("./stats.mjs").Summary} */ s) =>
    key === "ttfbMs" ? s.ttfb : s.latency;
  const pick = (/** @type {string} */ t, /** @type {"p50" | "p99"} */ p) =>
    spreadOf(cell.targets[t])?.[p] ?? Number.NaN;
  const added = (/** @type {string} */ t, /** @type {"p50" | "p99"} */ p) =>
    pick(t, p) - pick("direct", p);
  /** @type {Record<string, number[]>} */
  const perRoundP50 = Object.fromEntries(
    Object.entries(run.loops).map(([t, loops]) => [t, loops.map((l) => roundP50(l, key))]),
  );
  const range = (/** @type {number[]} */ v) => Math.max(...v) - Math.min(...v);
  const noise = Math.max(range(perRoundP50[OFF]), range(perRoundP50[ON]));
  // Paired by round: export on's p50 less export off's in the same round.
  const roundDiffs = perRoundP50[ON].map((v, i) => v - (perRoundP50[OFF][i] ?? Number.NaN));
  const diffP50 = added(ON, "p50") - added(OFF, "p50");
  return {
    workload: cell.workload,
    measure: key === "ttfbMs" ? "first byte" : "end of body",
    addedP50: { [OFF]: added(OFF, "p50"), [ON]: added(ON, "p50") },
    addedP99: { [OFF]: added(OFF, "p99"), [ON]: added(ON, "p99") },
    diffP50,
    diffP99: added(ON, "p99") - added(OFF, "p99"),
    perRoundP50,
    roundDiffs,
    noise,
    withinNoise: Math.abs(diffP50) <= noise,
  };
}

/**
 * The Markdown section, markers included.
 * @param {any} r The raw results.
 * @param {import("./measure.mjs").Workload[]} kinds
 */
function exportSection(r, kinds) {
  const m = r.machine;
  const v = r.versions;
  const x = r.export;
  const s = x.collector;
  /** @param {number[]} values */
  const list = (values) => values.map((n) => ms(n)).join(", ");
  const comparisonLines = r.comparisons.map(
    /** @param {ReturnType<typeof compare>} c */ (c) => {
      const label =
        c.workload === "json" ? "Non-streaming, c=1 (end of body)" : "First streamed byte, c=1";
      return `- ${label}: added p50 export off ${addedMs(c.addedP50[OFF])}, export on ${addedMs(c.addedP50[ON])} (difference ${addedMs(c.diffP50)}); added p99 export off ${addedMs(c.addedP99[OFF])}, export on ${addedMs(c.addedP99[ON])} (difference ${addedMs(c.diffP99)}). Per-round p50s: direct ${list(c.perRoundP50.direct)} ms; export off ${list(c.perRoundP50[OFF])} ms; export on ${list(c.perRoundP50[ON])} ms. Noise (the wider spread of one gateway's per-round p50s) ${plainMs(c.noise)}; export on less export off, round by round: ${c.roundDiffs.map(signed).join(", ")} ms. **${c.withinNoise ? "Within the run's noise" : "Not within the run's noise"}** (|${ms(Math.abs(c.diffP50))}| ${c.withinNoise ? "≤" : ">"} ${ms(c.noise)} ms).`;
    },
  );
  const allWithin = r.comparisons.every(
    /** @param {ReturnType<typeof compare>} c */ (c) => c.withinNoise,
  );
  const verdicts = r.comparisons.map(
    /** @param {ReturnType<typeof compare>} c */ (c) =>
      `${c.workload === "json" ? "non-streaming" : "first streamed byte"} ${signed(c.diffP50)} ms against a noise of ${ms(c.noise)} ms${allWithin ? "" : c.withinNoise ? " (within)" : " (**not within**)"}`,
  );
  const verdict = `Verdict: export on's added p50 at c=1 is ${allWithin ? "within the run's noise of export off's" : "not within the run's noise of export off's everywhere"}: ${verdicts.join("; ")}.`;
  const json50 = r.cells.find(
    /** @param {import("./report.mjs").Cell} c */ (c) =>
      c.workload === "json" && c.concurrency === 50,
  );
  const throughput = json50
    ? [
        `- Non-streaming, c=50: direct ${json50.targets.direct.rps.toFixed(0)} req/s, export off ${json50.targets[OFF].rps.toFixed(0)} req/s, export on ${json50.targets[ON].rps.toFixed(0)} req/s (×${(json50.targets[ON].rps / json50.targets[OFF].rps).toFixed(2)} export off's); workerd CPU per request export off ${plainMs(json50.targets[OFF].cpuMsPerRequest)}, export on ${plainMs(json50.targets[ON].cpuMsPerRequest)} (its queue consumer's storing and exporting included, where they fell in its slices).`,
      ]
    : [];
  const during = x.duringCells
    .map(
      /** @param {{ workload: string, concurrency: number, traceRequests: number, metricRequests: number }} d */ (
        d,
      ) => `${d.workload} c=${d.concurrency} ${d.traceRequests} + ${d.metricRequests}`,
    )
    .join(", ");
  const topSpans = Object.entries(s.spanNames)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, n]) => `\`${name}\` ${n}`)
    .join(", ");
  const outbox = x.outbox
    ? `The outbox of export on's organisation counted ${x.outbox.exported.spans} spans and ${x.outbox.exported.points} points exported, ${x.outbox.dropped.spans} spans and ${x.outbox.dropped.points} points dropped, ${x.outbox.pending.payloads} payloads pending${x.outbox.lastError ? `; last error: HTTP ${x.outbox.lastError.status ?? "none"} ${x.outbox.lastError.body}` : ""}.`
    : "The outbox's status could not be read.";
  const columns = (/** @type {boolean} */ stream) => [
    "c",
    "target",
    "ok/n",
    "errors",
    "p50 ms",
    "p99 ms",
    "+p50 ms",
    "+p99 ms",
    ...(stream ? ["TTFB p50", "+TTFB p50", "+TTFB p99"] : []),
    "req/s",
    "CPU ms/req",
    "peak RSS MB",
  ];
  const tables = kinds.map((k) => {
    const rows = [];
    for (const cell of r.cells.filter(
      /** @param {import("./report.mjs").Cell} c */ (c) => c.workload === k.name,
    )) {
      const d = cell.targets.direct;
      for (const name of ["direct", OFF, ON]) {
        const t = cell.targets[name];
        const plus = (/** @type {number | undefined} */ a, /** @type {number | undefined} */ b) =>
          name === "direct" || a === undefined || b === undefined ? "" : signed(a - b);
        const errors = Object.entries(t.errors)
          .map(([kind, n]) => `${n}× ${kind}`)
          .join(", ");
        rows.push([
          String(cell.concurrency),
          LABELS[name],
          `${t.ok}/${t.n}`,
          errors || "0",
          t.latency ? ms(t.latency.p50) : "–",
          t.latency ? ms(t.latency.p99) : "–",
          plus(t.latency?.p50, d.latency?.p50),
          plus(t.latency?.p99, d.latency?.p99),
          ...(k.stream
            ? [
                t.ttfb ? ms(t.ttfb.p50) : "–",
                plus(t.ttfb?.p50, d.ttfb?.p50),
                plus(t.ttfb?.p99, d.ttfb?.p99),
              ]
            : []),
          t.rps.toFixed(0),
          t.cpuMsPerRequest === null ? "–" : ms(t.cpuMsPerRequest),
          t.peakRssMb === null ? "–" : t.peakRssMb.toFixed(0),
        ]);
      }
    }
    return rows.length > 0 ? `### ${k.label}\n\n${markdownTable(columns(k.stream), rows)}\n` : "";
  });
  return `${sectionStart("export")}
## OTLP export on and off (the Worker alone in workerd)

Produced by \`npm run bench:export\` (\`bench/export.mjs\`; \`npm run bench\` runs it after its main part) on ${r.date}${r.quick ? " — **quick run (BENCH_QUICK=1), small samples**" : ""}; it took ${r.durationS} s. Raw figures: \`bench/export-results.json\`. Kept as it is when \`npm run bench\`'s main part rewrites the rest of this file.

- ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, Linux ${m.kernel}; load average ${m.loadBefore.join(" ")} before, ${m.loadAfter.join(" ")} after
- Node ${v.node}, wrangler ${v.wrangler} (for bundling only), workerd ${v.workerd} through miniflare, client undici ${v.undici}

**${verdict}**

Method:

- Two Workers from one bundle (\`wrangler deploy --dry-run\`), each served by its own workerd (Miniflare) on its own port, with its own local D1, Durable Objects and telemetry queue (batches of up to 100 messages or after 5 s, as wrangler.toml says), set up alike through the API (first admin, provider key to the fake, proxy, Claude Desktop profile). **export on**'s organisation has an OTLP exporter (\`PUT /api/telemetry/exporter\`: ${x.protocol}, sampling ratio 1, content capture off) pointing at a collector on loopback (\`bench/otlp-collector.mjs\`, a Node HTTP server on a worker thread of the bench process that reads each body to its end, answers 200 and counts requests and bytes; spans and data points are decoded after the run, protobuf with the official opentelemetry-proto definitions). **export off**'s has none. Spans and metrics leave from the queue consumer, in the same workerd process that serves the requests: what exporting costs the request path shows in export on's figures.
- The same fake upstream (${r.config.deltas} deltas, one per ${r.config.paceMs} ms), client (undici \`request\`, keep-alive), warm-up, closed loop and unmeasured connection burst as the workerd section, in ${r.config.rounds} interleaved rounds whose order rotates over direct, export off and export on, each slice after both workerd processes went idle. "+" figures are the target's percentile less direct's in the same cell; the difference of two added figures is export on's percentile less export off's.
- The run's noise: the spread (largest less smallest) of the per-round p50s of each gateway, the wider of the two; export on's added p50 is within the noise when it differs from export off's by no more than that.

Summary:

${comparisonLines.join("\n")}
${throughput.join("\n")}
- The collector got ${s.traces.requests} trace exports (${(s.traces.bytes / 1024).toFixed(0)} KiB) and ${s.metrics.requests} metric exports (${(s.metrics.bytes / 1024).toFixed(0)} KiB), holding ${s.spans} spans (${topSpans}) and ${s.dataPoints} data points${s.undecoded > 0 ? `; ${s.undecoded} bodies not decoded` : ""}. Export on logged ${x.loggedRows[ON]} requests (two spans each: ${2 * x.loggedRows[ON]}), export off ${x.loggedRows[OFF]}. Trace + metric exports while each measured cell ran: ${during}; every span had arrived ${(x.waitedMs / 1000).toFixed(1)} s after the cells ended (the queue's batch wait). ${outbox}

${tables.join("\n")}
${sectionEnd("export")}`;
}

try {
  await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
// Worker threads (fake upstream, collector) and keep-alive sockets would keep us alive.
process.exit();
