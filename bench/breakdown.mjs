#!/usr/bin/env node
// `npm run bench:breakdown`: where the Worker's added latency comes from, measured rather than
// subtracted. In the setup of `npm run bench:workerd` (bundled as a deploy bundles, served by
// Miniflare's workerd on a socket of its own, no wrangler on the path), a ladder of Workers,
// each adding one piece of Gatehouse's hot path, is driven with the same client and fake
// upstream, interleaved in rounds:
//   bare       a pass-through Worker: fetch the upstream, return its response (workerd's cost);
//   do1        + one RPC to a Durable Object that does nothing (the gate hop);
//   do1_js     do1, with the response passed on through a JavaScript stream (as Gatehouse
//              passes SSE on) rather than natively;
//   do2        + a second RPC, in parallel, to another Durable Object class (gate + LimitGate);
//   gatehouse  the real Worker as bench/workerd-direct.mjs runs it (key checks, the user's gate,
//              logging), on a proxy with no limit;
//   gh_proxy_limit  the real Worker on a proxy with a request limit of its own, kept by a
//              LimitGate: the gate call and the LimitGate call run in parallel;
//   gh_key_limit    the real Worker on a proxy whose Connection key has a request limit, kept
//              by the user's gate, as a user's own limits are: no second Durable Object.
// The small Workers are bench/breakdown-workers/ladder.mjs, with a wrangler config written here.
//
// c=1 gives added latency (non-streaming, and to the first streamed byte); c=50 throughput.
// It writes the section between the breakdown-bench markers of BENCHMARKS.md (`npm run bench`
// and `npm run bench:workerd` keep it) and the raw figures to bench/breakdown-results.json.
//
// Environment: BENCH_QUICK=1 for a short smoke run (a tenth of the requests).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeUpstreamThread } from "./fake-upstream.mjs";
import { logSince, markdownTable, ms, signed } from "./format.mjs";
import {
  closedLoop,
  interleavedRounds,
  openConnections,
  sliceOf,
  timedRequest,
  workloads,
} from "./measure.mjs";
import { machineFacts, sectionEnd, sectionStart, writeResults, writeSection } from "./outputs.mjs";
import { guardRun, killNow } from "./processes.mjs";
import { readWorkerdResults } from "./report.mjs";
import { startSampler } from "./sampler.mjs";
import { growthIn, percentile, summarize } from "./stats.mjs";
import { directTarget, freePort, gatehouseTarget, versions } from "./targets.mjs";
import {
  bundleWorker,
  settleWorkerd,
  startGatehouseWorkerd,
  startWorkerd,
} from "./workerd-host.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const quick = process.env.BENCH_QUICK === "1";
const scale = quick ? 0.1 : 1;

const PACE_MS = 2;
/**
 * Short streams: what is measured of a stream here is its first byte, and a short stream lets
 * more of them be sampled in the time.
 */
const DELTAS = 10;
const ROUNDS = 4;
const REQUEST_TIMEOUT_MS = 10_000;
/** Everything is stopped and the process exits after this long, whatever happens. */
const WATCHDOG_MS = 175_000;
/** A cell is skipped when it could not end this long before the watchdog. */
const MARGIN_MS = 12_000;

/**
 * Per workload, the cells: requests per target and the wall-clock cap for one target (split
 * over the rounds).
 * @type {Record<string, { concurrency: number, count: number, capMs: number }[]>}
 */
const PLAN = {
  json: [
    { concurrency: 1, count: 800, capMs: 4_000 },
    { concurrency: 50, count: 1600, capMs: 2_800 },
  ],
  stream: [
    { concurrency: 1, count: 160, capMs: 4_800 },
    { concurrency: 50, count: 320, capMs: 2_800 },
  ],
};

/**
 * The rungs, in order, and what each adds to the one before it (`base`).
 * @type {{ name: string, label: string, base: string | null, adds: string }[]}
 */
const RUNGS = [
  {
    name: "bare",
    label: "1. bare pass-through Worker",
    base: null,
    adds: "workerd itself: the Worker's request in, its fetch to the upstream, the response out",
  },
  {
    name: "do1",
    label: "2. + one RPC to a no-op DO",
    base: "bare",
    adds: "one Durable Object RPC before the fetch (the gate hop)",
  },
  {
    name: "do1_js",
    label: "2b. 2, the body through a JS stream",
    base: "do1",
    adds: "the response passed on chunk by chunk by JavaScript instead of natively",
  },
  {
    name: "do2",
    label: "3. + a second no-op DO RPC in parallel",
    base: "do1",
    adds: "a second RPC, in parallel, to another DO class (the LimitGate)",
  },
  {
    name: "gatehouse",
    label: "4a. Gatehouse, no limit",
    base: "do1",
    adds: "Gatehouse's own code over a pass-through with one gate hop",
  },
  {
    name: "gh_proxy_limit",
    label: "4b. Gatehouse, limit on the proxy (LimitGate)",
    base: "gatehouse",
    adds: "the LimitGate RPC in parallel with the gate, its reservation and its settling",
  },
  {
    name: "gh_key_limit",
    label: "4c. Gatehouse, limit on the key (user's gate)",
    base: "gatehouse",
    adds: "a reservation in the user's gate (no second DO) and its settling",
  },
];

const runStart = Date.now();
const log = logSince(runStart);
/** @type {import("miniflare").Miniflare[]} */
const instances = [];
/** @type {number[]} The workerd processes Miniflare started for us. */
let workerdPids = [];
/** @type {string[]} Temp directories to remove. */
const tempDirs = [];
/** @type {import("./fake-upstream.mjs").FakeUpstream | undefined} */
let fake;
/** @type {Promise<void> | undefined} */
let cleaning;

function cleanup() {
  cleaning ??= (async () => {
    for (const mf of instances) {
      await mf.dispose().catch((err) => console.error("Stopping workerd:", err));
    }
    await fake?.close().catch(() => {});
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  })();
  return cleaning;
}

guardRun({
  stopping: "workerd",
  cleanup,
  // The workerd processes we started (by pid) do not outlive us.
  lastResort: () => killNow(workerdPids),
  watchdogMs: WATCHDOG_MS,
  overdue: `The breakdown benchmark ran past ${WATCHDOG_MS / 1000} s; stopping.`,
});

/** The ladder Worker bundled by `wrangler deploy --dry-run` from a config written here. */
function bundleLadder() {
  const configDir = mkdtempSync(join(tmpdir(), "gatehouse-ladder-config-"));
  tempDirs.push(configDir);
  const config = join(configDir, "wrangler.json");
  writeFileSync(
    config,
    JSON.stringify({
      name: "gatehouse-breakdown-ladder",
      main: join(here, "breakdown-workers", "ladder.mjs"),
      compatibility_date: "2026-04-20",
      compatibility_flags: ["nodejs_compat"],
      durable_objects: {
        bindings: [
          { name: "GATE", class_name: "NopGate" },
          { name: "LIMIT_GATE", class_name: "NopLimitGate" },
        ],
      },
      migrations: [{ tag: "v1", new_sqlite_classes: ["NopGate", "NopLimitGate"] }],
    }),
  );
  const dir = bundleWorker(root, config);
  tempDirs.push(dir);
  const script = readdirSync(dir).find((f) => f.endsWith(".js"));
  if (!script) throw new Error(`no script in the ladder bundle: ${readdirSync(dir).join(", ")}`);
  return { dir, script };
}

/**
 * One rung of the ladder in its own workerd, configured as bench/workerd-host.mjs configures
 * Gatehouse's (same compatibility date and flags, Durable Objects declared the same way).
 * @param {{ dir: string, script: string }} bundle
 * @param {number} hops
 * @param {string} upstream
 * @param {boolean} jsStream The body through a JavaScript stream.
 */
async function startRung(bundle, hops, upstream, jsStream) {
  const port = await freePort();
  const { pids } = await startWorkerd(
    {
      modules: true,
      scriptPath: join(bundle.dir, bundle.script),
      modulesRoot: bundle.dir,
      compatibilityDate: "2026-04-20",
      compatibilityFlags: ["nodejs_compat"],
      bindings: { UPSTREAM: upstream, HOPS: String(hops), JS_STREAM: jsStream ? "1" : "0" },
      ...(hops > 0 && {
        durableObjects: { GATE: "NopGate", LIMIT_GATE: "NopLimitGate" },
      }),
      unsafeDirectSockets: [{ host: "127.0.0.1", port }],
    },
    (mf) => instances.push(mf),
  );
  workerdPids.push(...pids);
  return { baseUrl: `http://127.0.0.1:${port}`, pid: pids[0] };
}

/**
 * The real Worker with three proxies on the same provider key: one without limits, one with a
 * request limit of its own (kept by a LimitGate), one whose Connection key has a request limit
 * (kept by the user's gate). The limits are far out of reach: they are checked, reserved and
 * settled on every request, never refused.
 * @param {string} baseUrl
 * @param {string} fakeUrl
 */
async function gatehouseTargets(baseUrl, fakeUrl) {
  const { target, admin } = await gatehouseTarget(baseUrl, fakeUrl);
  const limitFields = { metric: "requests", window: "day", amount: 1_000_000_000 };
  const proxyLimited = await admin.post("/llm-proxies", {
    name: "Bench, proxy limit",
    providerKeyId: admin.providerKeyId,
  });
  const proxyTarget = await admin.connectionTarget(proxyLimited.id, "gh_proxy_limit");
  await admin.post("/limits", {
    name: "Bench proxy requests",
    scope: "llm_proxy",
    scopeId: proxyLimited.id,
    ...limitFields,
  });
  const keyLimited = await admin.post("/llm-proxies", {
    name: "Bench, key limit",
    providerKeyId: admin.providerKeyId,
  });
  const keyTarget = await admin.connectionTarget(keyLimited.id, "gh_key_limit");
  /** @type {{ standardKey: { id: string } }} */
  const keys = await admin.post("/connection-setups/keys", { proxyId: keyLimited.id });
  await admin.post("/limits", {
    name: "Bench key requests",
    scope: "virtual_key",
    scopeId: keys.standardKey.id,
    ...limitFields,
  });
  return [target, proxyTarget, keyTarget];
}

/** @param {number[]} values */
function median(values) {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

async function main() {
  log(quick ? "Quick run (BENCH_QUICK=1)." : "Full run.");
  const deadline = runStart + WATCHDOG_MS - MARGIN_MS;
  const loadBefore = loadavg();
  fake = await startFakeUpstreamThread({ paceMs: PACE_MS, deltas: DELTAS });
  log("Bundling Gatehouse and the ladder Worker (wrangler deploy --dry-run)...");
  const gatehouseDir = bundleWorker(root);
  tempDirs.push(gatehouseDir);
  const ladder = bundleLadder();

  /** @type {Record<string, number>} Target name to the pid of the workerd serving it. */
  const pidOf = {};
  /** @type {import("./targets.mjs").Target[]} */
  const targets = [directTarget(fake.url)];
  const direct = targets[0];
  for (const [name, hops, jsStream] of /** @type {const} */ ([
    ["bare", 0, false],
    ["do1", 1, false],
    ["do1_js", 1, true],
    ["do2", 2, false],
  ])) {
    const rung = await startRung(ladder, hops, fake.url, jsStream);
    targets.push({ ...direct, name, url: `${rung.baseUrl}/v1/messages` });
    pidOf[name] = rung.pid;
  }
  const port = await freePort();
  const gatehouse = await startGatehouseWorkerd(root, gatehouseDir, port, (mf) =>
    instances.push(mf),
  );
  workerdPids.push(...gatehouse.pids);
  for (const target of await gatehouseTargets(`http://127.0.0.1:${port}`, fake.url)) {
    targets.push(target);
    pidOf[target.name] = gatehouse.pids[0];
  }
  workerdPids = [...new Set(workerdPids)];
  log(`${targets.length - 1} Workers in workerd (pids ${workerdPids.join(", ")}).`);
  const kinds = workloads(DELTAS);

  for (const target of targets) {
    for (const workload of kinds) {
      const r = await timedRequest(target, workload, REQUEST_TIMEOUT_MS);
      if (!r.ok) throw new Error(`smoke ${target.name} ${workload.name} failed: ${r.error}`);
    }
  }
  log("Every target answers both workloads. Warming up...");

  // One sampled tree per workerd process; the Gatehouse variants share theirs.
  const sampler = startSampler(Object.fromEntries(workerdPids.map((pid) => [String(pid), pid])));
  for (const target of targets) {
    for (const workload of kinds) {
      await closedLoop(target, workload, {
        concurrency: 10,
        count: Math.ceil((workload.stream ? 60 : 200) * scale),
        capMs: 3_000,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
    }
  }

  /** @type {{ workload: import("./measure.mjs").Workload, concurrency: number, loops: Record<string, import("./measure.mjs").LoopResult[]>, skipped: boolean }[]} */
  const runs = [];
  const cellOrder = [
    { workload: kinds[0], step: PLAN.json[0] },
    { workload: kinds[1], step: PLAN.stream[0] },
    { workload: kinds[0], step: PLAN.json[1] },
    { workload: kinds[1], step: PLAN.stream[1] },
  ];
  for (const { workload, step } of cellOrder) {
    /** @type {Record<string, import("./measure.mjs").LoopResult[]>} */
    const loops = Object.fromEntries(targets.map((t) => [t.name, []]));
    // Expected at most: every slice at its cap, plus burst and idle wait (about 1 s).
    const worstMs = targets.length * (step.capMs + ROUNDS * 1_000);
    const skipped = Date.now() + worstMs > deadline;
    runs.push({ workload, concurrency: step.concurrency, loops, skipped });
    if (skipped) {
      log(`Skipping ${workload.name} c=${step.concurrency}: not enough time left.`);
      continue;
    }
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
    const failed = targets
      .map((t) => [t.name, loops[t.name].flatMap((l) => l.results).filter((r) => !r.ok).length])
      .filter(([, n]) => Number(n) > 0)
      .map(([name, n]) => `${name} ${n}`);
    log(
      `${workload.name} c=${step.concurrency} done${failed.length > 0 ? `; failures: ${failed.join(", ")}` : ""}.`,
    );
  }
  const { samples } = await sampler.stop();

  const cells = runs
    .filter((run) => !run.skipped)
    .map((run) => ({
      workload: run.workload.name,
      concurrency: run.concurrency,
      targets: Object.fromEntries(
        targets.map((t) => {
          const windows = run.loops[t.name];
          const pid = pidOf[t.name];
          const summary = summarize(windows, {
            stream: run.workload.stream,
            paceMs: PACE_MS,
            peakRssKb: null,
            cpuTicks:
              pid === undefined ? null : growthIn(samples, windows, (s) => s.cpu[String(pid)] ?? 0),
          });
          // Per round: this target's p50 less direct's p50 in the same round, to show the
          // spread behind the pooled figure.
          const metric = run.workload.stream ? "ttfbMs" : "totalMs";
          const roundAdded = windows.map((loop, i) => {
            const own = loop.results.filter((r) => r.ok).map((r) => r[metric]);
            const base = (run.loops.direct[i]?.results ?? [])
              .filter((r) => r.ok)
              .map((r) => r[metric]);
            return median(own) - median(base);
          });
          return [t.name, { ...summary, roundAddedP50: roundAdded }];
        }),
      ),
    }));
  const skippedCells = runs
    .filter((run) => run.skipped)
    .map((run) => `${run.workload.name} c=${run.concurrency}`);

  const results = {
    date: new Date().toISOString(),
    quick,
    machine: machineFacts(loadBefore),
    versions: versions(root),
    durationS: Math.round((Date.now() - runStart) / 1000),
    config: { paceMs: PACE_MS, deltas: DELTAS, rounds: ROUNDS, plan: PLAN, scale },
    rungs: RUNGS,
    cells,
    skippedCells,
  };
  const resultsFile = join(here, "breakdown-results.json");
  writeResults(resultsFile, results);

  const section = breakdownSection(results);
  console.log(`\n${section}\n`);
  writeSection("breakdown", section);
  log(`Wrote the breakdown section of BENCHMARKS.md and bench/breakdown-results.json.`);
}

/**
 * @typedef {import("./stats.mjs").Summary & { roundAddedP50: number[] }} RungSummary
 * @typedef {{ workload: string, concurrency: number, targets: Record<string, RungSummary> }} BreakdownCell
 */

/**
 * The Markdown section, markers included.
 * @param {{ date: string, quick: boolean, durationS: number, machine: { cores: number, cpu: string, memoryGiB: number, kernel: string, loadBefore: number[], loadAfter: number[] }, versions: Record<string, string>, cells: BreakdownCell[], skippedCells: string[], config: { plan: typeof PLAN, scale: number } }} r
 */
function breakdownSection(r) {
  const m = r.machine;
  const v = r.versions;
  /** @param {string} w @param {number} c */
  const cell = (w, c) => r.cells.find((x) => x.workload === w && x.concurrency === c);
  const json1 = cell("json", 1);
  const stream1 = cell("stream", 1);
  const json50 = cell("json", 50);
  const stream50 = cell("stream", 50);
  /**
   * Added over direct in a cell, for a target.
   * @param {BreakdownCell | undefined} x
   * @param {string} t
   * @param {(s: import("./stats.mjs").Summary) => number | undefined} f
   */
  const added = (x, t, f) => {
    const s = x?.targets[t];
    const d = x?.targets.direct;
    const a = s?.ok ? f(s) : undefined;
    const b = d?.ok ? f(d) : undefined;
    return a === undefined || b === undefined ? null : a - b;
  };
  /** @param {import("./stats.mjs").Summary} s */
  const latP50 = (s) => s.latency?.p50;
  /** @param {import("./stats.mjs").Summary} s */
  const latP99 = (s) => s.latency?.p99;
  /** @param {import("./stats.mjs").Summary} s */
  const ttfbP50 = (s) => s.ttfb?.p50;
  /** @param {import("./stats.mjs").Summary} s */
  const ttfbP99 = (s) => s.ttfb?.p99;
  /** @param {BreakdownCell | undefined} x @param {string} t */
  const spreadOf = (x, t) => {
    const list = x?.targets[t]?.roundAddedP50 ?? [];
    if (list.length === 0) return "n/a";
    return `${signed(Math.min(...list))} … ${signed(Math.max(...list))}`;
  };
  /** @param {BreakdownCell | undefined} x @param {string} t @param {string | null} base @param {(s: import("./stats.mjs").Summary) => number | undefined} f */
  const step = (x, t, base, f) => {
    const own = added(x, t, f);
    if (base === null) return own;
    const b = added(x, base, f);
    return own === null || b === null ? null : own - b;
  };

  const latencyRows = RUNGS.map((rung) => [
    rung.label,
    signed(added(json1, rung.name, latP50)),
    signed(added(json1, rung.name, latP99)),
    spreadOf(json1, rung.name),
    `${signed(step(json1, rung.name, rung.base, latP50))} (vs ${rung.base ?? "direct"})`,
    signed(added(stream1, rung.name, ttfbP50)),
    signed(added(stream1, rung.name, ttfbP99)),
    spreadOf(stream1, rung.name),
    `${signed(step(stream1, rung.name, rung.base, ttfbP50))} (vs ${rung.base ?? "direct"})`,
    json1?.targets[rung.name]?.cpuMsPerRequest?.toFixed(2) ?? "n/a",
  ]);
  /** @param {BreakdownCell | undefined} x @param {string} t */
  const rps = (x, t) => x?.targets[t]?.rps ?? null;
  /** @param {BreakdownCell | undefined} x @param {string} t */
  const rpsCell = (x, t) => {
    const a = rps(x, t);
    const d = rps(x, "direct");
    if (a === null) return "n/a";
    const s = x?.targets[t];
    const failed = s && s.ok < s.n ? ` (${s.n - s.ok} failed)` : "";
    return `${a.toFixed(0)} (×${d ? (a / d).toFixed(2) : "–"})${failed}`;
  };
  const throughputRows = [
    ["direct", rpsCell(json50, "direct"), "", rpsCell(stream50, "direct"), "", ""],
    ...RUNGS.map((rung) => [
      rung.label,
      rpsCell(json50, rung.name),
      json50?.targets[rung.name]?.cpuMsPerRequest?.toFixed(2) ?? "n/a",
      rpsCell(stream50, rung.name),
      stream50?.targets[rung.name]?.cpuMsPerRequest?.toFixed(2) ?? "n/a",
      signed(added(stream50, rung.name, ttfbP50)),
    ]),
  ];

  /** @param {string} t */
  const n = (t) => ({
    json: added(json1, t, latP50),
    ttfb: added(stream1, t, ttfbP50),
  });
  const bare = n("bare");
  const do1 = n("do1");
  const do2 = n("do2");
  const do1Js = n("do1_js");
  /** CPU per streamed chunk the JavaScript stream costs at c=50, in microseconds. */
  const stream50Cpu = (/** @type {string} */ t) => stream50?.targets[t]?.cpuMsPerRequest;
  const jsCpu = stream50Cpu("do1_js");
  const nativeCpu = stream50Cpu("do1");
  const perChunkUs =
    jsCpu === undefined || nativeCpu === undefined
      ? null
      : ((jsCpu - nativeCpu) * 1000) / (DELTAS + 6);
  const gh = n("gatehouse");
  const ghProxy = n("gh_proxy_limit");
  const ghKey = n("gh_key_limit");
  /** @param {number | null} a @param {number | null} b */
  const minus = (a, b) => (a === null || b === null ? null : a - b);
  /** @param {number | null} part @param {number | null} whole */
  const share = (part, whole) =>
    part === null || whole === null || whole <= 0
      ? ""
      : ` (${((100 * part) / whole).toFixed(0)} %)`;
  /** @param {"json" | "ttfb"} k @param {string} what @param {number} target */
  const split = (k, what, target) => {
    const whole = gh[k];
    const floor = bare[k];
    const hop = minus(do1[k], bare[k]);
    const own = minus(gh[k], do1[k]);
    return `- **${what}** (target ≤ ${target} ms): Gatehouse without limits adds ${signed(whole)} ms at p50. Of that, workerd's pass-through floor (rung 1) is ${signed(floor)} ms${share(floor, whole)}, the gate hop (rung 2 less rung 1) ${signed(hop)} ms${share(hop, whole)}, and Gatehouse's own code (rung 4a less rung 2) ${signed(own)} ms${share(own, whole)}. A second DO RPC in parallel (rung 3 less rung 2) adds ${signed(minus(do2[k], do1[k]))} ms; in the real Worker, a limit kept by a LimitGate (4b less 4a) adds ${signed(minus(ghProxy[k], gh[k]))} ms, and a limit kept by the user's gate (4c less 4a) ${signed(minus(ghKey[k], gh[k]))} ms.`;
  };
  const workerd = readWorkerdResults();
  /** @param {string} w @param {number} c @param {(s: import("./stats.mjs").Summary) => number | undefined} f */
  const workerdAdded = (w, c, f) => {
    const x = workerd?.cells.find((y) => y.workload === w && y.concurrency === c);
    const g = x?.targets.gatehouse;
    const d = x?.targets.direct;
    const a = g ? f(g) : undefined;
    const b = d ? f(d) : undefined;
    return a === undefined || b === undefined ? null : a - b;
  };
  const failures = r.cells.flatMap((x) =>
    Object.entries(x.targets)
      .filter(([, t]) => t.ok < t.n)
      .map(
        ([name, t]) =>
          `${x.workload} c=${x.concurrency} ${name}: ${Object.entries(t.errors)
            .map(([kind, k]) => `${k}× ${kind}`)
            .join(", ")} of ${t.n}`,
      ),
  );
  const plan = r.config.plan;
  const count = (/** @type {number} */ c) => Math.ceil(c * r.config.scale);

  return `${sectionStart("breakdown")}
## Where the Worker's added latency comes from

Produced by \`npm run bench:breakdown\` (\`bench/breakdown.mjs\`) on ${r.date}${r.quick ? " — **quick run (BENCH_QUICK=1), small samples**" : ""}; it took ${r.durationS} s. Raw figures: \`bench/breakdown-results.json\`. Kept as it is when \`npm run bench\` or \`npm run bench:workerd\` rewrite the rest of this file.

- ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, Linux ${m.kernel}; load average ${m.loadBefore.join(" ")} before, ${m.loadAfter.join(" ")} after
- Node ${v.node}, wrangler ${v.wrangler} (for bundling only), workerd ${v.workerd} through miniflare, client undici ${v.undici}

Method:

- The setup of "The Worker alone in workerd": every Worker bundled by \`wrangler deploy --dry-run\` and served by Miniflare's workerd on a socket of its own, one workerd process per Worker, no wrangler process on the path. The same fake upstream, client (undici \`request\`, keep-alive), closed loop, ${ROUNDS} interleaved rounds with rotating order, unmeasured connection burst and idle wait before each slice. Client, fake and the workerd processes share the ${m.cores} cores.
- A ladder of Workers, each adding one piece of the hot path: (1) a bare pass-through Worker (read the request body, \`fetch\` the upstream with the client's method, headers and body, return the upstream's response as it is); (2) the same after one RPC to a Durable Object that does nothing; (2b) rung 2 with the response passed on through a JavaScript stream that reads each chunk and hands it on (Gatehouse passes SSE on this way, so that it can end a cut stream with an \`error\` event), instead of natively; (3) after two such RPCs in parallel, to two DO classes (\`bench/breakdown-workers/ladder.mjs\`); (4) the real Gatehouse Worker as \`npm run bench:workerd\` runs it (key checks, the user's gate, logging on), on three proxies of the same organisation: (4a) no limit, (4b) a request limit on the proxy, kept by a LimitGate, so the gate and the LimitGate are called in parallel, (4c) a request limit on the Connection key, kept by the user's gate as a user's own limits are, so no second DO. The limits are far out of reach: reserved and settled on every request, never refused.
- Streams are ${DELTAS} deltas (one per ${PACE_MS} ms), not 200 as in the other sections: only their first byte is measured at c=1. Per cell and target: non-streaming c=1 ${count(plan.json[0].count)} requests (capped at ${plan.json[0].capMs / 1000} s), streaming c=1 ${count(plan.stream[0].count)} (${plan.stream[0].capMs / 1000} s), non-streaming c=50 ${count(plan.json[1].count)} (${plan.json[1].capMs / 1000} s), streaming c=50 ${count(plan.stream[1].count)} (${plan.stream[1].capMs / 1000} s).
- "Added" is the target's percentile less direct's over the same cell; "rounds" gives the lowest and highest of the ${ROUNDS} per-round added p50s (each against direct in that round), to show how far a figure moves between rounds. "Step" is the rung's added p50 less that of the rung it builds on. CPU ms/req is the CPU time of the workerd process serving the target over its slices, per request (10 ms clock ticks; the Gatehouse variants share one process, whose alarm flushes log rows to D1 in the background).${r.skippedCells.length > 0 ? `\n- **Not measured** (time budget spent): ${r.skippedCells.join(", ")}.` : ""}

### c=1: added latency, non-streaming and to the first streamed byte

${markdownTable(
  [
    "rung",
    "+p50 ms",
    "+p99 ms",
    "rounds +p50",
    "step p50",
    "+TTFB p50",
    "+TTFB p99",
    "rounds +TTFB",
    "step TTFB",
    "CPU ms/req",
  ],
  latencyRows,
)}

Direct: p50 ${ms(json1?.targets.direct?.latency?.p50 ?? Number.NaN)} ms non-streaming, first byte p50 ${ms(stream1?.targets.direct?.ttfb?.p50 ?? Number.NaN)} ms.

### c=50: throughput

${markdownTable(
  [
    "rung",
    "non-streaming req/s (×direct)",
    "CPU ms/req",
    "streams/s (×direct)",
    "CPU ms/stream",
    "+TTFB p50",
  ],
  throughputRows,
)}

${failures.length > 0 ? `Failures (client side; left out of the percentiles and req/s): ${failures.join("; ")}.\n\n` : ""}### Reading it

${split("json", "Non-streaming, c=1", 1)}
${split("ttfb", "First streamed byte, c=1", 2)}
- Against the targets: the pass-through floor alone is ${signed(bare.json)} ms of the 1 ms non-streaming budget and ${signed(bare.ttfb)} ms of the 2 ms first-byte budget; with the gate hop (rung 2) ${signed(do1.json)} and ${signed(do1.ttfb)} ms. What Gatehouse's code can win back is bounded by its own share above.
- Gatehouse's own code is everything rung 4a does beyond rung 2: routing, the cached key and proxy look-ups, reading and parsing the body, the gate call's real arguments and answer (revocation check), upstream and client header rewriting, the metered body (a JSON answer read whole and handed over as bytes; an SSE stream passed through a JS stream that reads usage), and, off the response path, the settle RPC to the user's gate with its log-row write and the gate's batched flush to D1 (locally in the same workerd thread as the Worker). \`npm run bench:profile\` shows its CPU by function.
- Passing a stream through JavaScript (rung 2b less rung 2): ${signed(minus(do1Js.ttfb, do1.ttfb))} ms to the first byte at c=1; at c=50, ${jsCpu === undefined ? "n/a" : jsCpu.toFixed(2)} ms of CPU per ${DELTAS}-delta stream against ${nativeCpu === undefined ? "n/a" : nativeCpu.toFixed(2)} ms natively${perChunkUs === null ? "" : `, about ${perChunkUs.toFixed(0)} µs per chunk (${((perChunkUs * 206) / 1000).toFixed(1)} ms for a 200-delta stream of 206 events)`}. Gatehouse pays this on every streamed response, because a stream workerd passes on natively ends cleanly when the upstream is cut (the client cannot tell a truncated answer from a whole one), while the gateway's own stream can end it with an SSE \`error\` event.
- What a limit does beyond rung 3's empty RPC (from the code, not split by this run): the gate that keeps it changes its ledger on admission and writes it to the object's storage before its reply leaves (output gate; \`durable-objects/ledger-store.ts\`), and changes it again when the request is settled after the response. Rung 4c does that in the user's gate, with no second DO; rung 4b in a LimitGate, called in parallel with the user's gate.${workerd ? `\n- For comparison, the last \`npm run bench:workerd\` (${workerd.date}, 200-delta streams) measured the Worker alone at ${signed(workerdAdded("json", 1, latP50))} ms non-streaming and ${signed(workerdAdded("stream", 1, ttfbP50))} ms to the first byte (p50, c=1).` : ""}
${sectionEnd("breakdown")}`;
}

try {
  await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
// Worker threads (fake upstream, sampler) and keep-alive sockets would keep us alive.
process.exit();
