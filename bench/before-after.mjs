#!/usr/bin/env node
// `npm run bench:before-after`: what a change adds to the hot path, measured before and after
// in one run. The Worker of a git ref (BENCH_BEFORE, default HEAD) and the Worker of the
// working tree are bundled as a deploy bundles them and served side by side by workerd (each in
// its own process, with its own local D1, Durable Objects and, where declared, telemetry
// queue), behind the same fake upstream, in interleaved rounds: added p50 at c=1 (non-streaming,
// and to the first streamed byte), throughput and CPU per request at c=50. It writes the section
// of BENCHMARKS.md between the before-after markers and the raw figures to
// bench/before-after-results.json.
//
// Environment: BENCH_BEFORE=<git ref>; BENCH_QUICK=1 for a tenth of the requests.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeUpstreamThread } from "./fake-upstream.mjs";
import { logSince } from "./format.mjs";
import {
  closedLoop,
  interleavedRounds,
  openConnections,
  sliceOf,
  timedRequest,
  workloads,
} from "./measure.mjs";
import {
  formatWithBiome,
  machineFacts,
  sectionEnd,
  sectionStart,
  writeResults,
  writeSection,
} from "./outputs.mjs";
import { guardRun, killNow } from "./processes.mjs";
import { startSampler } from "./sampler.mjs";
import { growthIn, summarize } from "./stats.mjs";
import { directTarget, freePort, gatehouseTarget } from "./targets.mjs";
import { bundleWorker, settleWorkerd, startGatehouseWorkerd } from "./workerd-host.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const before = process.env.BENCH_BEFORE ?? "HEAD";
const scale = process.env.BENCH_QUICK === "1" ? 0.1 : 1;
const PACE_MS = 2;
const DELTAS = 200;
const ROUNDS = 4;
const TIMEOUT_MS = 10_000;
const PLAN = {
  json: [
    { concurrency: 1, count: 800, capMs: 8_000 },
    { concurrency: 50, count: 4000, capMs: 8_000 },
  ],
  stream: [
    { concurrency: 1, count: 30, capMs: 16_000 },
    { concurrency: 50, count: 600, capMs: 12_000 },
  ],
};

const log = logSince(Date.now());
/** @type {import("miniflare").Miniflare[]} */
const instances = [];
/** @type {number[]} */
let pids = [];
/** @type {string[]} */
const scratch = [];
/** @type {Awaited<ReturnType<typeof startFakeUpstreamThread>> | undefined} */
let fake;

async function cleanup() {
  await Promise.allSettled(instances.map((mf) => mf.dispose()));
  await fake?.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync("git", ["worktree", "prune"], { cwd: root });
  } catch {
    // nothing to prune
  }
}

guardRun({
  stopping: "before/after",
  cleanup,
  lastResort: () => killNow(pids),
  watchdogMs: 8 * 60_000,
  overdue: "The before/after benchmark ran past 8 minutes; stopping.",
});

/** A checkout of `ref` beside the repository, sharing its node_modules. */
function checkout(ref) {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-before-"));
  scratch.push(dir);
  execFileSync("git", ["worktree", "add", "--detach", "--force", dir, ref], {
    cwd: root,
    stdio: "ignore",
  });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** Bundles and serves the Worker of `dir`; returns its target named `name`. */
async function serve(dir, name) {
  const bundle = bundleWorker(dir);
  scratch.push(bundle);
  const port = await freePort();
  const started = await startGatehouseWorkerd(dir, bundle, port, (mf) => instances.push(mf));
  pids = [...pids, ...started.pids];
  const { target, latestLogRow } = await gatehouseTarget(
    `http://127.0.0.1:${port}`,
    fake?.url ?? "",
  );
  return { target: { ...target, name }, pids: started.pids, latestLogRow };
}

async function main() {
  const loadBefore = loadavg();
  const sha = execFileSync("git", ["rev-parse", "--short", before], { cwd: root })
    .toString()
    .trim();
  log(`Before: ${before} (${sha}); after: the working tree.`);
  fake = await startFakeUpstreamThread({ paceMs: PACE_MS, deltas: DELTAS });
  const old = await serve(checkout(before), "before");
  const now = await serve(root, "after");
  const targets = [directTarget(fake.url), old.target, now.target];
  const kinds = workloads(DELTAS);
  for (const target of targets) {
    for (const workload of kinds) {
      const r = await timedRequest(target, workload, TIMEOUT_MS);
      if (!r.ok) throw new Error(`${target.name} ${workload.name} failed: ${r.error}`);
    }
  }
  const sampler = startSampler({ before: old.pids[0] ?? 0, after: now.pids[0] ?? 0 });
  log("Warming up...");
  for (const target of targets) {
    for (const workload of kinds) {
      await closedLoop(target, workload, {
        concurrency: 10,
        count: Math.ceil((workload.stream ? 40 : 300) * scale),
        capMs: 8_000,
        timeoutMs: TIMEOUT_MS,
      });
    }
  }
  const runs = [];
  for (const workload of kinds) {
    for (const step of PLAN[workload.name]) {
      const loops = await interleavedRounds(targets, ROUNDS, {
        warm: (target) => openConnections(target, kinds[0], step.concurrency),
        settle: () => settleWorkerd(pids),
        slice: (target) =>
          closedLoop(target, workload, {
            concurrency: step.concurrency,
            ...sliceOf(step, ROUNDS, scale),
            timeoutMs: TIMEOUT_MS,
          }),
      });
      runs.push({ workload, concurrency: step.concurrency, loops });
      log(`${workload.name} c=${step.concurrency} done`);
    }
  }
  const { samples } = await sampler.stop();
  // Both logged what they served (the working tree's through its queue, within a batch's wait).
  for (const side of [old, now]) {
    const deadline = Date.now() + 20_000;
    while (!(await side.latestLogRow()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
    }
    if (!(await side.latestLogRow())) throw new Error(`${side.target.name}: no log row reached D1`);
  }
  const cells = runs.map((run) => ({
    workload: run.workload.name,
    concurrency: run.concurrency,
    targets: Object.fromEntries(
      targets.map((t) => {
        const windows = run.loops[t.name];
        const process = t.name === "direct" ? null : t.name;
        return [
          t.name,
          summarize(windows, {
            stream: run.workload.stream,
            paceMs: PACE_MS,
            peakRssKb: null,
            cpuTicks: process ? growthIn(samples, windows, (s) => s.cpu[process] ?? 0) : null,
          }),
        ];
      }),
    ),
  }));
  const machine = machineFacts(loadBefore);
  writeResults(join(here, "before-after-results.json"), { before, sha, machine, cells });
  const section = report(cells, sha, { ...machine, date: new Date().toISOString().slice(0, 10) });
  writeSection("before-after", section);
  formatWithBiome();
  console.log(section);
}

/** @param {number} n */
const fixed = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** @param {any[]} cells @param {string} sha @param {any} machine */
function report(cells, sha, machine) {
  /** @param {string} workload @param {number} c */
  const cell = (workload, c) => cells.find((x) => x.workload === workload && x.concurrency === c);
  const rows = [];
  for (const [workload, label, pick] of [
    ["json", "non-streaming", (/** @type {any} */ s) => s.latency.p50],
    ["stream", "streaming, first byte", (/** @type {any} */ s) => s.ttfb.p50],
  ]) {
    const c1 = cell(workload, 1);
    const c50 = cell(workload, 50);
    const direct = pick(c1.targets.direct);
    const added = (/** @type {string} */ t) => pick(c1.targets[t]) - direct;
    rows.push(
      `| ${label} | ${fixed(added("before"))} ms | ${fixed(added("after"))} ms | ${fixed(c50.targets.before.rps, 0)} req/s | ${fixed(c50.targets.after.rps, 0)} req/s | ${fixed(c50.targets.before.cpuMsPerRequest)} ms | ${fixed(c50.targets.after.cpuMsPerRequest)} ms |`,
    );
  }
  return `${sectionStart("before-after")}
## Before and after the last change (the Worker alone in workerd)

\`npm run bench:before-after\`, ${machine.date}: the Worker of \`${before}\` (${sha}) and the
working tree's, each bundled as a deploy bundles it and served by its own workerd, the same
fake upstream (200-delta streams, ${PACE_MS} ms apart), ${ROUNDS} interleaved rounds.
Added p50 at c=1 is against direct to the fake in the same rounds; CPU is the workerd
process's per request at c=50 (the telemetry queue's consumer included where there is one).

| workload | added p50 c=1, before | after | throughput c=50, before | after | CPU/request c=50, before | after |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

- ${machine.cores} cores, load average ${machine.loadBefore.join(" ")} before, ${machine.loadAfter.join(" ")} after.
${sectionEnd("before-after")}`;
}

main().then(
  async () => {
    await cleanup();
    process.exit(0);
  },
  async (err) => {
    console.error(err);
    await cleanup();
    process.exit(1);
  },
);
