#!/usr/bin/env node
// `npm run bench:workerd`: Gatehouse's Worker measured without wrangler dev's proxy. The
// Worker is bundled as `wrangler deploy` would bundle it and run by Miniflare's workerd on a
// socket of its own (local D1 and Durable Objects, logging and key checks on), so requests
// and the Worker's own upstream fetches no longer cross wrangler's Node process and dev-proxy
// workerd. This is the nearest local stand-in for the deployed hot path; `npm run bench`
// measures what `npm start` gives, then runs this script as its second part.
//
// Same fake upstream, client, closed loop, rounds and columns as bench/run.mjs, for direct and
// the Worker, at concurrency 1 and 50. It writes its own section of BENCHMARKS.md (between the
// workerd-bench markers; `npm run bench` keeps it), refreshes that file's "Against the
// design's targets" section, and keeps the raw figures in bench/workerd-results.json.
//
// Environment: BENCH_QUICK=1 for a short smoke run (a tenth of the requests);
// BENCH_DEADLINE_MS (epoch ms, set by `npm run bench`) to end by then whatever happens.
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeUpstreamThread } from "./fake-upstream.mjs";
import { addedMs, logSince, ms } from "./format.mjs";
import {
  closedLoop,
  floor,
  interleavedRounds,
  openConnections,
  sliceOf,
  timedRequest,
  workloads,
} from "./measure.mjs";
import {
  BENCHMARKS_FILE,
  formatWithBiome,
  machineFacts,
  sectionEnd,
  sectionStart,
  writeResults,
  writeSection,
} from "./outputs.mjs";
import { guardRun, killNow, openFilesByProcess } from "./processes.mjs";
import { errorLines, figuresTable, readBenchResults, refreshTargetChecks } from "./report.mjs";
import { startSampler } from "./sampler.mjs";
import { growthIn, peakIn, summarize } from "./stats.mjs";
import { directTarget, freePort, gatehouseTarget, versions } from "./targets.mjs";
import { bundleWorker, settleWorkerd, startGatehouseWorkerd } from "./workerd-host.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const quick = process.env.BENCH_QUICK === "1";
const scale = quick ? 0.1 : 1;

const PACE_MS = 2;
const DELTAS = 200;
const ROUNDS = 3;
const REQUEST_TIMEOUT_MS = 10_000;
/** Whatever happens, everything is stopped and the process exits after this long. */
const WATCHDOG_MS = Math.min(
  3 * 60_000,
  Number(process.env.BENCH_DEADLINE_MS ?? Number.POSITIVE_INFINITY) - Date.now(),
);

/**
 * Requests per target and cell, and the wall-clock cap for one target in one cell (split over
 * the rounds): the design's two concurrencies, 1 and 50.
 * @type {Record<string, { concurrency: number, count: number, capMs: number }[]>}
 */
const PLAN = {
  json: [
    { concurrency: 1, count: 600, capMs: 6_000 },
    { concurrency: 50, count: 3000, capMs: 6_000 },
  ],
  stream: [
    { concurrency: 1, count: 24, capMs: 15_000 },
    { concurrency: 50, count: 450, capMs: 9_000 },
  ],
};

const runStart = Date.now();
const log = logSince(runStart);
/** @type {import("miniflare").Miniflare | undefined} */
let mf;
/** @type {import("./fake-upstream.mjs").FakeUpstream | undefined} */
let fake;
/** @type {string | undefined} */
let bundleDir;
/** @type {number[]} The workerd processes Miniflare started for us. */
let workerdPids = [];
/** @type {Promise<void> | undefined} */
let cleaning;

function cleanup() {
  cleaning ??= (async () => {
    await mf?.dispose().catch((err) => console.error("Stopping workerd:", err));
    await fake?.close().catch(() => {});
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  })();
  return cleaning;
}

guardRun({
  stopping: "workerd",
  cleanup,
  // The workerd we started (by pid) does not outlive us.
  lastResort: () => killNow(workerdPids),
  watchdogMs: WATCHDOG_MS,
  overdue: `The workerd benchmark ran past ${(WATCHDOG_MS / 1000).toFixed(0)} s; stopping.`,
});

/** @param {Record<string, number>} record */
function sumOf(record) {
  return Object.values(record).reduce((a, b) => a + b, 0);
}

async function main() {
  log(quick ? "Quick run (BENCH_QUICK=1)." : "Full run.");
  const loadBefore = loadavg();
  fake = await startFakeUpstreamThread({ paceMs: PACE_MS, deltas: DELTAS });
  log("Bundling the Worker (wrangler deploy --dry-run)...");
  bundleDir = bundleWorker(root);
  const port = await freePort();
  const started = await startGatehouseWorkerd(root, bundleDir, port, (m) => {
    mf = m;
  });
  workerdPids = started.pids;
  const baseUrl = `http://127.0.0.1:${port}`;
  log(`The Worker in workerd on ${baseUrl} (pids ${workerdPids.join(", ")}).`);
  const { target: gatehouse } = await gatehouseTarget(baseUrl, fake.url);
  const targets = [directTarget(fake.url), gatehouse];
  const kinds = workloads(DELTAS);

  for (const target of targets) {
    for (const workload of kinds) {
      const r = await timedRequest(target, workload, REQUEST_TIMEOUT_MS);
      log(`Smoke ${target.name} ${workload.name}: ${r.ok ? "ok" : `FAILED: ${r.error}`}`);
      if (!r.ok) throw new Error(`${target.name} ${workload.name} failed: ${r.error}`);
    }
  }

  // The sampler follows the workerd process(es) under the name "gatehouse".
  const sampler = startSampler(
    Object.fromEntries(workerdPids.map((pid, i) => [i === 0 ? "gatehouse" : `workerd${i}`, pid])),
  );
  log("Warming up...");
  for (const target of targets) {
    for (const workload of kinds) {
      await closedLoop(target, workload, {
        concurrency: 10,
        count: Math.ceil((workload.stream ? 40 : 300) * scale),
        capMs: 8_000,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
    }
  }
  const floors = {
    direct: await floor(`${fake.url}/healthz`, 200),
    gatehouse: await floor(`${baseUrl}/healthz`, 200),
  };
  const filesBefore = sumOf(Object.assign({}, ...workerdPids.map(openFilesByProcess)));

  /** @type {{ workload: import("./measure.mjs").Workload, concurrency: number, loops: Record<string, import("./measure.mjs").LoopResult[]> }[]} */
  const runs = [];
  for (const workload of kinds) {
    for (const step of PLAN[workload.name]) {
      /** @type {Record<string, import("./measure.mjs").LoopResult[]>} */
      const loops = Object.fromEntries(targets.map((t) => [t.name, []]));
      runs.push({ workload, concurrency: step.concurrency, loops });
      const perSlice = {
        concurrency: step.concurrency,
        ...sliceOf(step, ROUNDS, scale),
        timeoutMs: REQUEST_TIMEOUT_MS,
      };
      Object.assign(
        loops,
        await interleavedRounds(targets, ROUNDS, {
          warm: (target) => openConnections(target, kinds[0], step.concurrency),
          settle: () => settleWorkerd(workerdPids),
          slice: (target) => closedLoop(target, workload, perSlice),
        }),
      );
      const line = targets
        .map((t) => {
          const results = loops[t.name].flatMap((l) => l.results);
          return `${t.name} ${results.filter((r) => r.ok).length}/${results.length}`;
        })
        .join(", ");
      log(`${workload.name} c=${step.concurrency}: ${line}`);
    }
  }
  const filesAfter = sumOf(Object.assign({}, ...workerdPids.map(openFilesByProcess)));
  const sampled = await sampler.stop();
  const { samples } = sampled;
  /** @param {import("./sampler.mjs").Sample} s */
  const workerdOf = (s, /** @type {"kb" | "cpu"} */ key) => sumOf(s[key]);

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
            peakRssKb: gateway ? peakIn(samples, windows, (s) => workerdOf(s, "kb")) : null,
            cpuTicks: gateway ? growthIn(samples, windows, (s) => workerdOf(s, "cpu")) : null,
          }),
        ];
      }),
    ),
  }));

  // Portkey's figures from the last `npm run bench` (the main part of the same run when this
  // runs as its second part), for the throughput ratio.
  const bench = readBenchResults();
  /** @type {Record<string, number>} */
  const portkeyRps = {};
  for (const c of bench?.cells ?? []) {
    const rps = c.concurrency === 50 ? c.targets.portkey?.rps : undefined;
    if (rps !== undefined) portkeyRps[c.workload] = rps;
  }

  const meta = {
    date: new Date().toISOString(),
    quick,
    machine: machineFacts(loadBefore),
    versions: versions(root),
    durationS: Math.round((Date.now() - runStart) / 1000),
    config: { paceMs: PACE_MS, deltas: DELTAS, rounds: ROUNDS, plan: PLAN, scale },
  };
  const notes = {
    floors,
    openFiles: { before: filesBefore, after: filesAfter },
    cpuSecondsByProcess: sampled.cpuByProcess,
    portkeyFromBench: bench ? { date: bench.date, rps: portkeyRps } : null,
  };
  const results = { ...meta, cells, notes };
  const resultsFile = join(here, "workerd-results.json");
  writeResults(resultsFile, results);

  const section = workerdSection(results, kinds);
  console.log(`\n${section}\n`);
  writeSection("workerd", section);
  // The targets section quotes these figures: brought up to date in place.
  refreshTargetChecks(BENCHMARKS_FILE);
  formatWithBiome(BENCHMARKS_FILE);
  log(`Wrote the workerd section of BENCHMARKS.md and bench/workerd-results.json.`);
}

/**
 * The Markdown section, markers included.
 * @param {{ date: string, quick: boolean, durationS: number, machine: { cores: number, cpu: string, memoryGiB: number, kernel: string, loadBefore: number[], loadAfter: number[] }, versions: Record<string, string>, cells: import("./report.mjs").Cell[], notes: { floors: Record<string, { p50: number, p99: number }>, openFiles: { before: number, after: number }, portkeyFromBench: { date: string, rps: Record<string, number> } | null } }} r
 * @param {import("./measure.mjs").Workload[]} kinds
 */
function workerdSection(r, kinds) {
  const m = r.machine;
  const v = r.versions;
  /** @param {string} w @param {number} c */
  const cell = (w, c) => r.cells.find((x) => x.workload === w && x.concurrency === c);
  /** @param {string} w @param {number} c @param {(s: import("./stats.mjs").Summary) => number | undefined} f */
  const added = (w, c, f) => {
    const x = cell(w, c);
    const g = x?.targets.gatehouse && f(x.targets.gatehouse);
    const d = x?.targets.direct && f(x.targets.direct);
    return g === undefined || d === undefined ? null : g - d;
  };
  const stream1 = cell("stream", 1);
  const delay = (/** @type {string} */ t, /** @type {"p50" | "max"} */ k) =>
    stream1?.targets[t]?.eventDelay?.[k];
  const portkey = r.notes.portkeyFromBench;
  const throughput = ["json", "stream"].map((w) => {
    const x = cell(w, 50);
    const g = x?.targets.gatehouse?.rps ?? 0;
    const d = x?.targets.direct?.rps ?? 0;
    const p = portkey?.rps[w];
    const vsPortkey =
      p === undefined
        ? ""
        : `; Portkey ${p.toFixed(0)} req/s in that \`npm run bench\`, so ×${(g / p).toFixed(2)} Portkey's`;
    return `- ${w === "json" ? "Non-streaming" : "Streaming"}, c=50: direct ${d.toFixed(0)} req/s, the Worker ${g.toFixed(0)} req/s (×${d > 0 ? (g / d).toFixed(2) : "–"} direct)${vsPortkey}.`;
  });
  const f = r.notes.floors;
  const tables = kinds.map((k) => {
    const cells = r.cells.filter((c) => c.workload === k.name);
    const errors = errorLines(cells);
    return [
      `### ${k.label}`,
      "",
      figuresTable(cells, k.stream),
      "",
      ...(errors.length > 0 ? ["Failures:", "", ...errors, ""] : []),
    ].join("\n");
  });
  return `${sectionStart("workerd")}
## The Worker alone in workerd

Produced by \`npm run bench:workerd\` (\`bench/workerd-direct.mjs\`; \`npm run bench\` runs it after its main part) on ${r.date}${r.quick ? " — **quick run (BENCH_QUICK=1), small samples**" : ""}; it took ${r.durationS} s. Raw figures: \`bench/workerd-results.json\`. Kept as it is when \`npm run bench\`'s main part rewrites the rest of this file.

- ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, Linux ${m.kernel}; load average ${m.loadBefore.join(" ")} before, ${m.loadAfter.join(" ")} after
- Node ${v.node}, wrangler ${v.wrangler} (for bundling only), workerd ${v.workerd} through miniflare, client undici ${v.undici}

Method:

- The Worker bundled by \`wrangler deploy --dry-run\` and served by Miniflare's workerd on a socket of its own: local D1 with the migrations applied, the gate Durable Objects, the same admin setup and Claude Desktop profile as the main part, so key checks, the gate Durable Object call and request logging are on the measured path. No wrangler Node process and no dev-proxy workerd sit on the request or on the Worker's upstream fetch: this is what the Worker itself adds, the nearest local stand-in for a deployed Worker.
- The same fake upstream (${DELTAS} deltas, one per ${PACE_MS} ms), client (undici \`request\`, keep-alive), closed loop, ${ROUNDS} rounds with rotating order, unmeasured connection burst and idle wait, and the same columns as the main tables, for direct and the Worker at concurrency 1 and 50. CPU ms/req and peak RSS are workerd's. Client, fake and workerd share the ${m.cores} cores.

Summary:

- Non-streaming, c=1: added p50 ${addedMs(added("json", 1, (s) => s.latency?.p50))}, p99 ${addedMs(added("json", 1, (s) => s.latency?.p99))}.
- First streamed byte, c=1: added p50 ${addedMs(added("stream", 1, (s) => s.ttfb?.p50))}, p99 ${addedMs(added("stream", 1, (s) => s.ttfb?.p99))}.
- Largest gap between two events of a stream, less the ${PACE_MS} ms pace (event delay), c=1: p50 over streams direct ${ms(delay("direct", "p50") ?? Number.NaN)} ms, the Worker ${ms(delay("gatehouse", "p50") ?? Number.NaN)} ms; worst stream direct ${ms(delay("direct", "max") ?? Number.NaN)} ms, the Worker ${ms(delay("gatehouse", "max") ?? Number.NaN)} ms.
${throughput.join("\n")}
- HTTP floor, a trivial GET one at a time (p50 / p99): direct ${ms(f.direct.p50)} / ${ms(f.direct.p99)} ms, the Worker in workerd ${ms(f.gatehouse.p50)} / ${ms(f.gatehouse.p99)} ms.
- Open files of workerd: ${r.notes.openFiles.before} before the measured cells, ${r.notes.openFiles.after} after them (streams at c=50 included).

${tables.join("\n")}\n${sectionEnd("workerd")}`;
}

try {
  await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
// Worker threads (fake upstream) and keep-alive sockets would keep us alive.
process.exit();
