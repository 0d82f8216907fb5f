#!/usr/bin/env node
// `npm run bench`: the same requests sent directly to a fake Anthropic upstream, through
// Gatehouse (`npm start`) and through Portkey's gateway, side by side, on loopback. Then, once
// the gateways are stopped, its other parts as child processes: bench/workerd-direct.mjs
// (the Worker alone in workerd, `npm run bench:workerd`), bench/mcp.mjs (the MCP gateway,
// `npm run bench:mcp`) and bench/export.mjs (OTLP export on and off, `npm run bench:export`),
// each writing its own section of BENCHMARKS.md; the file is then
// written once more so that its targets section quotes the workerd figures of this run.
//
// For each workload (non-streaming, streaming) and concurrency, the three targets take turns
// in rounds, the order rotating each round, so that drift over the run (JIT, caches, other
// load on the machine) falls on all of them alike.
//
// Environment: BENCH_QUICK=1 for a short smoke run (a tenth of the requests).
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeUpstreamThread } from "./fake-upstream.mjs";
import { logSince, mapValues } from "./format.mjs";
import {
  closedLoop,
  floor,
  interleavedRounds,
  openConnections,
  sliceOf,
  timedRequest,
  workloads,
} from "./measure.mjs";
import { BENCHMARKS_FILE, formatWithBiome, machineFacts, writeResults } from "./outputs.mjs";
import {
  guardRun,
  killKnownGroupsNow,
  openFileLimits,
  openFilesByProcess,
  stopAll,
  untilIdle,
} from "./processes.mjs";
import { benchmarksMarkdown, workloadSection } from "./report.mjs";
import { startSampler } from "./sampler.mjs";
import { growthIn, peakIn, summarize } from "./stats.mjs";
import {
  directTarget,
  gatehouseTarget,
  portkeyTarget,
  startGatehouse,
  startPortkey,
  versions,
} from "./targets.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const quick = process.env.BENCH_QUICK === "1";

const PACE_MS = 2;
const DELTAS = 200;
const ROUNDS = 3;
/** Far above any healthy stream here (200 events at 2 ms is 0.4 s), low enough to bound a stall. */
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * No new cell of the main part starts after this long, leaving time for the workerd part
 * (~1 min) and the MCP part (~1.5 min): the whole run must end well inside 10 minutes.
 */
const RUN_BUDGET_MS = 5 * 60_000;
/** Whatever happens, everything (child parts included) is stopped after this long. */
const WATCHDOG_MS = 9.5 * 60_000;
/**
 * The parts run after the main one, in this order, each only if at least `minMs` is left
 * before the watchdog; each is told the watchdog's deadline (BENCH_DEADLINE_MS) and ends by it.
 */
const PARTS = [
  { script: "workerd-direct.mjs", minMs: 90_000 },
  { script: "mcp.mjs", minMs: 150_000 },
  // About 2 minutes; it ends by the deadline whatever happens.
  { script: "export.mjs", minMs: 150_000 },
];
/** What a part must leave for this process to write BENCHMARKS.md and exit. */
const PART_MARGIN_MS = 15_000;
/** Longest wait for every gateway to go idle (a tenth of a core at most) before a slice. */
const SETTLE_MAX_MS = 3_000;
const scale = quick ? 0.1 : 1;

/**
 * Requests per target and cell, and the wall-clock cap for one target in one cell (split
 * evenly over the rounds; requests in flight at the cap still finish, within their timeout).
 * The caps add up to ~100 s per target, so the run fits its budget even when a gateway is
 * slow; a fast target reaches the count first.
 * @type {Record<string, { concurrency: number, count: number, capMs: number }[]>}
 */
const PLAN = {
  json: [
    { concurrency: 1, count: 600, capMs: 10_000 },
    { concurrency: 10, count: 1500, capMs: 10_000 },
    { concurrency: 50, count: 3000, capMs: 10_000 },
    { concurrency: 200, count: 3000, capMs: 12_000 },
  ],
  stream: [
    { concurrency: 1, count: 30, capMs: 18_000 },
    { concurrency: 10, count: 150, capMs: 12_000 },
    { concurrency: 50, count: 450, capMs: 12_000 },
    { concurrency: 200, count: 900, capMs: 15_000 },
  ],
};

const runStart = Date.now();
const log = logSince(runStart);
/** @type {import("./fake-upstream.mjs").FakeUpstream | undefined} */
let fake;
/** @type {Promise<void> | undefined} */
let cleaning;

/** @type {import("node:child_process").ChildProcess | undefined} The part running now. */
let part;

/** Stops the gateways and the fake; safe to call from any path, any number of times. */
function cleanup() {
  cleaning ??= (async () => {
    // A part running now stops its own processes on SIGTERM.
    if (part && part.exitCode === null && part.signalCode === null) part.kill("SIGTERM");
    await stopAll().catch((err) => console.error("Stopping the gateways:", err));
    await fake?.close().catch(() => {});
  })();
  return cleaning;
}

guardRun({
  stopping: "the gateways",
  cleanup,
  // If the process dies without the clean-up (a throw inside a handler, say).
  lastResort: () => {
    killKnownGroupsNow();
    if (part && part.exitCode === null && part.signalCode === null) part.kill("SIGTERM");
  },
  watchdogMs: WATCHDOG_MS,
  onWatchdog: () => {
    console.error(`The benchmark ran past ${WATCHDOG_MS / 60_000} minutes; stopping.`);
    cleaning = undefined;
    cleanup().finally(() => setTimeout(() => process.exit(1), 3_000));
  },
});

async function main() {
  log(quick ? "Quick run (BENCH_QUICK=1)." : "Full run.");
  const loadBefore = loadavg();
  fake = await startFakeUpstreamThread({ paceMs: PACE_MS, deltas: DELTAS });
  log(`Fake Anthropic upstream on ${fake.url} (${DELTAS} deltas, one per ${PACE_MS} ms).`);

  log("Starting Gatehouse (npm start) and Portkey...");
  const [gatehouseRun, portkeyRun] = await Promise.all([startGatehouse(root), startPortkey(root)]);
  log(`Gatehouse on ${gatehouseRun.baseUrl}, Portkey on ${portkeyRun.baseUrl}.`);
  const gatehouse = await gatehouseTarget(gatehouseRun.baseUrl, fake.url);
  /** @type {import("./targets.mjs").Target[]} */
  const targets = [
    directTarget(fake.url),
    gatehouse.target,
    portkeyTarget(portkeyRun.baseUrl, fake.url),
  ];
  const gatewayPids = [gatehouseRun.process.pid, portkeyRun.process.pid];
  const kinds = workloads(DELTAS);

  // One request of each kind per target first, so a broken setup shows at once and clearly.
  for (const target of targets) {
    for (const workload of kinds) {
      const r = await timedRequest(target, workload, REQUEST_TIMEOUT_MS);
      const detail = r.ok ? `${r.totalMs.toFixed(1)} ms` : `FAILED: ${r.error}`;
      log(`Smoke ${target.name} ${workload.name}: ${detail}`);
    }
  }

  const sampler = startSampler({
    gatehouse: gatehouseRun.process.pid,
    portkey: portkeyRun.process.pid,
  });

  log("Warming up (JIT, caches, connections)...");
  for (const target of targets) {
    for (const workload of kinds) {
      const count = Math.ceil((workload.stream ? 40 : 300) * scale);
      await closedLoop(target, workload, {
        concurrency: 10,
        count,
        capMs: 10_000,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
    }
  }

  // Gatehouse's open files, after the warm-up and each cell: wrangler's dev proxy keeps files
  // open per streamed chunk (see the notes of BENCHMARKS.md).
  const gatehousePid = gatehouseRun.process.pid;
  const openFileLimitsSeen = openFileLimits(gatehousePid);
  /** @type {{ after: string, byProcess: Record<string, number> }[]} */
  const openFiles = [{ after: "the warm-up", byProcess: openFilesByProcess(gatehousePid) }];

  // The cost of the HTTP stack alone: a trivial route on each server, one request at a time.
  const floors = {
    direct: await floor(`${fake.url}/healthz`, 200),
    gatehouse: await floor(`${gatehouseRun.baseUrl}/healthz`, 200),
    portkey: await floor(`${portkeyRun.baseUrl}/`, 200),
  };

  /** @type {{ workload: import("./measure.mjs").Workload, concurrency: number, loops: Record<string, import("./measure.mjs").LoopResult[]>, skipped: boolean, gaveUp: Set<string> }[]} */
  const runs = [];
  /** @type {unknown} */
  let latestLogRow;
  for (const workload of kinds) {
    for (const step of PLAN[workload.name]) {
      const run = {
        workload,
        concurrency: step.concurrency,
        /** @type {Record<string, import("./measure.mjs").LoopResult[]>} */
        loops: Object.fromEntries(targets.map((t) => [t.name, []])),
        skipped: false,
        /** @type {Set<string>} Targets that failed every request of a slice in this cell. */
        gaveUp: new Set(),
      };
      runs.push(run);
      if (Date.now() - runStart > RUN_BUDGET_MS) {
        run.skipped = true;
        log(`Skipping ${workload.name} c=${step.concurrency}: time budget spent.`);
        continue;
      }
      const perSlice = {
        concurrency: step.concurrency,
        ...sliceOf(step, ROUNDS, scale),
        timeoutMs: REQUEST_TIMEOUT_MS,
      };
      run.loops = await interleavedRounds(targets, ROUNDS, {
        // A target that answered nothing in a whole slice would only burn the time budget on
        // timeouts in the next rounds: its failures are counted, its later rounds skipped.
        skip: (target) => run.gaveUp.has(target.name),
        warm: (target) => openConnections(target, kinds[0], step.concurrency),
        settle: () =>
          untilIdle(
            gatewayPids.map((pid) => [pid]),
            SETTLE_MAX_MS,
          ),
        slice: async (target) => {
          const loop = await closedLoop(target, workload, perSlice);
          if (!loop.results.some((r) => r.ok)) run.gaveUp.add(target.name);
          return loop;
        },
      });
      if (run.gaveUp.size > 0) {
        log(`${workload.name} c=${step.concurrency}: gave up on ${[...run.gaveUp].join(", ")}.`);
      }
      const line = targets
        .map((t) => {
          const results = run.loops[t.name].flatMap((l) => l.results);
          const failed = results.filter((r) => !r.ok).length;
          return `${t.name} ${results.length - failed}/${results.length}`;
        })
        .join(", ");
      log(`${workload.name} c=${step.concurrency}: ${line}`);
      openFiles.push({
        after: `${workload.name} c=${step.concurrency}`,
        byProcess: openFilesByProcess(gatehousePid),
      });
    }
    // Proof that request logging was on, read before the streaming cells, which can leave a
    // local `wrangler dev` too swamped to answer its admin API.
    latestLogRow ??= await gatehouse.latestLogRow().catch((err) => String(err));
  }

  const sampled = await sampler.stop();
  const fakeStats = await fake.stats();
  const { samples } = sampled;

  /** @type {import("./report.mjs").Cell[]} */
  const cells = runs.map((run) => {
    if (run.skipped) {
      return {
        workload: run.workload.name,
        concurrency: run.concurrency,
        skipped: true,
        targets: {},
      };
    }
    const all = Object.values(run.loops).flat();
    const span = [
      {
        startedAt: Math.min(...all.map((l) => l.startedAt)),
        endedAt: Math.max(...all.map((l) => l.endedAt)),
      },
    ];
    // Machine CPU less the gateways' and our own, over the cell: what else ran meanwhile.
    const otherTicks = growthIn(
      samples,
      span,
      (s) => s.machine.busy - (s.cpu.gatehouse ?? 0) - (s.cpu.portkey ?? 0) - s.self,
    );
    const spanTicks = (span[0].endedAt - span[0].startedAt) / 10;
    return {
      workload: run.workload.name,
      concurrency: run.concurrency,
      otherCores: spanTicks > 0 ? otherTicks / spanTicks : null,
      gaveUp: [...run.gaveUp],
      targets: Object.fromEntries(
        targets.map((t) => {
          const windows = run.loops[t.name];
          const gateway = t.name !== "direct";
          const context = {
            stream: run.workload.stream,
            paceMs: PACE_MS,
            peakRssKb: gateway ? peakIn(samples, windows, (s) => s.kb[t.name] ?? 0) : null,
            cpuTicks: gateway ? growthIn(samples, windows, (s) => s.cpu[t.name] ?? 0) : null,
          };
          return [t.name, summarize(windows, context)];
        }),
      ),
    };
  });

  const sections = kinds.map((w) =>
    workloadSection(
      w.label,
      cells.filter((c) => c.workload === w.name),
      w.stream,
    ),
  );
  console.log(`\n${sections.join("\n")}`);

  // The first failure of each kind per target and cell, with what arrived, for diagnosis.
  /** @type {Map<string, { target: string, workload: string, concurrency: number, error: string, events: number, tail: string }>} */
  const failureSamples = new Map();
  for (const run of runs) {
    for (const [target, loops] of Object.entries(run.loops)) {
      for (const r of loops.flatMap((l) => l.results)) {
        const key = `${target} ${run.workload.name} ${run.concurrency} ${r.error}`;
        if (r.ok || r.tail === undefined || failureSamples.has(key)) continue;
        failureSamples.set(key, {
          target,
          workload: run.workload.name,
          concurrency: run.concurrency,
          error: r.error ?? "?",
          events: r.events,
          tail: r.tail,
        });
      }
    }
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
    fakeUpstream: fakeStats,
    floors,
    rssPeaks: mapValues(sampled.peaks, (p) => ({
      mb: p.kb / 1024,
      byProcessMb: mapValues(p.byProcess, (kb) => kb / 1024),
    })),
    cpuSecondsByProcess: sampled.cpuByProcess,
    failureSamples: [...failureSamples.values()].slice(0, 8),
    gatewayErrorOutput: {
      gatehouse: gatehouseRun.process.errors(),
      portkey: portkeyRun.process.errors(),
    },
    latestGatehouseLogRow: latestLogRow,
    openFiles,
    openFileLimits: openFileLimitsSeen,
  };
  const outputs = { meta, notes, cells, sections };
  writeOutputs(outputs);
  log(`Wrote BENCHMARKS.md and bench/results.json in ${meta.durationS} s.`);
  return outputs;
}

/**
 * bench/results.json and BENCHMARKS.md (keeping the workerd and MCP sections on disk), both
 * in the project's own format, so that `npm run lint` stays clean once they are committed.
 * @param {{ meta: import("./report.mjs").Meta, notes: import("./report.mjs").Notes, cells: import("./report.mjs").Cell[], sections: string[] }} outputs
 */
function writeOutputs({ meta, notes, cells, sections }) {
  const resultsFile = join(here, "results.json");
  writeResults(resultsFile, { ...meta, cells, notes });
  writeFileSync(BENCHMARKS_FILE, benchmarksMarkdown(meta, notes, cells, sections));
  formatWithBiome(BENCHMARKS_FILE);
}

/**
 * Runs one part (a bench script) as a child process with its output on ours, bounded by the
 * watchdog's deadline.
 * @param {string} script
 * @param {number} deadline Epoch ms.
 * @returns {Promise<number | null>} Its exit code.
 */
function runPart(script, deadline) {
  return new Promise((resolvePart) => {
    const child = spawn(process.execPath, [join(here, script)], {
      cwd: root,
      env: { ...process.env, BENCH_DEADLINE_MS: String(deadline) },
      stdio: "inherit",
    });
    part = child;
    child.on("error", (err) => {
      console.error(`${script}:`, err);
      resolvePart(null);
    });
    child.on("exit", (code) => {
      part = undefined;
      resolvePart(code);
    });
  });
}

/** @type {Awaited<ReturnType<typeof main>> | undefined} */
let outputs;
try {
  outputs = await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
if (outputs) {
  const deadline = runStart + WATCHDOG_MS - PART_MARGIN_MS;
  for (const { script, minMs } of PARTS) {
    if (deadline - Date.now() < minMs) {
      log(`Skipping ${script}: less than ${minMs / 1000} s left; its section stays as it was.`);
      continue;
    }
    log(`Running ${script}...`);
    const code = await runPart(script, deadline);
    log(`${script} ended (exit code ${code}).`);
    if (code !== 0) process.exitCode = 1;
  }
  // Once more, now that the workerd figures the targets section quotes are this run's.
  outputs.meta.totalS = Math.round((Date.now() - runStart) / 1000);
  writeOutputs(outputs);
  log(`Wrote BENCHMARKS.md again; npm run bench took ${outputs.meta.totalS} s in all.`);
}
// Worker threads (fake upstream, sampler) and keep-alive sockets would keep us alive.
process.exit();
