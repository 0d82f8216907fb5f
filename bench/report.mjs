// Tables for the terminal and BENCHMARKS.md. Every figure is shown absolute, as "added" over
// direct where that means something, and as a ratio to direct and to Portkey.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { addedMs, breakdown, markdownTable, ms, plainMs, signed } from "./format.mjs";
import { BENCHMARKS_FILE, keptSection } from "./outputs.mjs";

const RESULTS_FILE = fileURLToPath(new URL("./results.json", import.meta.url));
const WORKERD_RESULTS_FILE = fileURLToPath(new URL("./workerd-results.json", import.meta.url));

/** @param {string} file */
function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/**
 * bench/results.json, the raw figures of `npm run bench`'s main part, or null.
 * @returns {{ date: string, cells: Cell[], notes: Notes } | null}
 */
export function readBenchResults() {
  return readJson(RESULTS_FILE);
}

/**
 * bench/workerd-results.json, written by `npm run bench:workerd`, or null.
 * @returns {WorkerdResults | null}
 */
export function readWorkerdResults() {
  return readJson(WORKERD_RESULTS_FILE);
}

/**
 * @typedef {import("./stats.mjs").Summary} Summary
 *
 * @typedef {object} Cell
 * @property {string} workload
 * @property {number} concurrency
 * @property {Record<string, Summary>} targets Keyed by target name.
 * @property {boolean} [skipped] The run's time budget was spent before this cell.
 * @property {number | null} [otherCores] CPU the rest of the machine (neither the gateways
 *   nor the benchmark process) used while the cell ran, in cores.
 * @property {string[]} [gaveUp] Targets whose later rounds were skipped after a slice in
 *   which every request failed.
 *
 * @typedef {object} WorkerdResults
 * @property {string} date
 * @property {Cell[]} cells "direct" and "gatehouse" (the Worker alone in workerd).
 * @property {{ floors: Record<string, { p50: number, p99: number }>, openFiles: { before: number, after: number } }} notes
 *
 * @typedef {object} Column
 * @property {string} title
 * @property {(s: Summary) => number | null | undefined} value
 * @property {"abs" | "added" | "count"} kind "added" figures are target minus direct.
 * @property {boolean} [streamOnly]
 * @property {(v: number) => string} [format]
 */

const TARGETS = ["direct", "gatehouse", "portkey"];
const GATEWAYS = ["gatehouse", "portkey"];

/**
 * a ÷ b, or "–" where that means nothing: a missing figure, or one at or below zero (an added
 * latency can come out negative when a gateway happens to beat direct within the noise).
 * @param {number | null} a
 * @param {number | null} b
 */
function ratioOf(a, b) {
  if (a === null || b === null || a <= 0 || b <= 0) return "–";
  const v = a / b;
  return `×${v < 10 ? v.toFixed(2) : v.toFixed(1)}`;
}

/** @type {Column[]} */
const COLUMNS = [
  { title: "p50 ms", kind: "abs", value: (s) => s.latency?.p50 },
  { title: "p99 ms", kind: "abs", value: (s) => s.latency?.p99 },
  { title: "+p50 ms", kind: "added", value: (s) => s.latency?.p50 },
  { title: "+p99 ms", kind: "added", value: (s) => s.latency?.p99 },
  { title: "TTFB p50", kind: "abs", streamOnly: true, value: (s) => s.ttfb?.p50 },
  { title: "+TTFB p50", kind: "added", streamOnly: true, value: (s) => s.ttfb?.p50 },
  { title: "+TTFB p99", kind: "added", streamOnly: true, value: (s) => s.ttfb?.p99 },
  {
    title: "event delay p50",
    kind: "abs",
    streamOnly: true,
    value: (s) => s.eventDelay?.p50,
  },
  {
    title: "event delay max",
    kind: "abs",
    streamOnly: true,
    value: (s) => s.eventDelay?.max,
  },
  { title: "req/s", kind: "abs", value: (s) => s.rps, format: (v) => v.toFixed(0) },
  { title: "CPU ms/req", kind: "abs", value: (s) => s.cpuMsPerRequest },
  {
    title: "peak RSS MB",
    kind: "abs",
    value: (s) => s.peakRssMb,
    format: (v) => v.toFixed(0),
  },
];

/**
 * A figure for one target of a cell: absolute, or added over direct.
 * @param {Column} column
 * @param {Cell} cell
 * @param {string} target
 * @returns {number | null}
 */
function figure(column, cell, target) {
  const summary = cell.targets[target];
  const value = summary ? column.value(summary) : null;
  if (value === null || value === undefined || Number.isNaN(value)) return null;
  if (column.kind !== "added") return value;
  const direct = cell.targets.direct ? column.value(cell.targets.direct) : null;
  if (direct === null || direct === undefined) return null;
  return value - direct;
}

/** @param {boolean} stream */
function columnsFor(stream) {
  return COLUMNS.filter((c) => stream || !c.streamOnly);
}

/**
 * The figures table of one workload: a row per concurrency and target.
 * @param {Cell[]} cells This workload's cells.
 * @param {boolean} stream
 */
export function figuresTable(cells, stream) {
  const columns = columnsFor(stream);
  const header = ["c", "target", "ok/n", "errors", ...columns.map((c) => c.title)];
  /** @type {string[][]} */
  const rows = [];
  for (const cell of cells) {
    for (const target of TARGETS) {
      const s = cell.targets[target];
      if (!s) continue;
      const errors = Object.values(s.errors).reduce((a, b) => a + b, 0);
      rows.push([
        String(cell.concurrency),
        target,
        `${s.ok}/${s.n}`,
        String(errors),
        ...columns.map((column) => {
          if (column.kind === "added" && target === "direct") return "";
          const v = figure(column, cell, target);
          if (v === null) return "–";
          if (column.format) return column.format(v);
          return column.kind === "added" ? signed(v) : ms(v);
        }),
      ]);
    }
  }
  return markdownTable(header, rows);
}

/**
 * Each gateway's figures divided by direct's and by Portkey's, as "×direct / ×Portkey".
 * Added figures have no ratio to direct (direct adds nothing), nor do RSS and CPU.
 * @param {Cell[]} cells
 * @param {boolean} stream
 */
export function ratiosTable(cells, stream) {
  const columns = columnsFor(stream);
  const header = ["c", "target", ...columns.map((c) => c.title)];
  /** @type {string[][]} */
  const rows = [];
  for (const cell of cells) {
    for (const target of GATEWAYS) {
      if (!cell.targets[target]) continue;
      rows.push([
        String(cell.concurrency),
        target,
        ...columns.map((column) => {
          const v = figure(column, cell, target);
          const direct = column.kind === "added" ? null : figure(column, cell, "direct");
          const portkey = figure(column, cell, "portkey");
          const vsDirect = ratioOf(v, direct);
          const vsPortkey = ratioOf(v, portkey);
          return `${vsDirect} / ${vsPortkey}`;
        }),
      ]);
    }
  }
  return markdownTable(header, rows);
}

/** Every failure, by cell and target. @param {Cell[]} cells */
export function errorLines(cells) {
  const lines = [];
  for (const cell of cells) {
    for (const target of TARGETS) {
      const errors = cell.targets[target]?.errors ?? {};
      const parts = Object.entries(errors).map(([kind, n]) => `${n}× ${kind}`);
      if (parts.length > 0) {
        lines.push(`- ${cell.workload} c=${cell.concurrency} ${target}: ${parts.join(", ")}`);
      }
    }
  }
  return lines;
}

/** @param {number | null | undefined} v @param {number} limit */
function verdict(v, limit) {
  if (v === null || v === undefined || Number.isNaN(v)) return "not measured";
  return v <= limit ? "**met**" : "**not met**";
}

/** @param {number | null | undefined} v */
function reqs(v) {
  return v === null || v === undefined ? "n/a" : `${v.toFixed(0)} req/s`;
}

/**
 * The design's performance targets against this run: for each, Gatehouse under `npm start`
 * (wrangler dev, the main tables), the Worker alone in workerd (the workerd section, when
 * there is one), Portkey, whether the target is met, and where it is not, the gap and what
 * the run measured as its cause.
 * @param {Cell[]} cells The main part's cells.
 * @param {Notes} [notes] The main part's notes.
 * @param {WorkerdResults | null} [workerd]
 */
export function targetChecks(cells, notes, workerd = null) {
  /** @param {Cell[] | undefined} list @param {string} workload @param {number} c */
  const find = (list, workload, c) =>
    list?.find((x) => x.workload === workload && x.concurrency === c && !x.skipped);
  /** @param {Cell | undefined} x @param {string} t @param {(s: Summary) => number | null | undefined} f */
  const added = (x, t, f) => {
    const s = x?.targets[t];
    const d = x?.targets.direct;
    const a = s?.ok ? f(s) : undefined;
    const b = d?.ok ? f(d) : undefined;
    return a === undefined || a === null || b === undefined || b === null ? null : a - b;
  };
  /** @param {Cell | undefined} x @param {string} t */
  const rps = (x, t) => {
    const s = x?.targets[t];
    return s ? s.rps : null;
  };
  /** @param {Cell | undefined} x @param {string} t */
  const cpu = (x, t) => x?.targets[t]?.cpuMsPerRequest ?? null;
  const alone = workerd?.cells;
  const lines = [
    `Each target below gives Gatehouse as \`npm start\` runs it (\`wrangler dev\`, the tables under "Results"), the Worker alone in workerd without wrangler (the section "The Worker alone in workerd"${workerd ? `, run ${workerd.date}` : ": not run"}), and Portkey (the same tables), and says whether it is met. Where it is not, the gap and its cause come from figures of the same run.`,
    "",
  ];

  // Causes shared by several targets, from the main part's notes and the workerd part.
  const floors = notes?.floors;
  const aloneFloors = workerd?.notes.floors;
  const floorAdded = floors ? floors.gatehouse.p50 - floors.direct.p50 : null;
  const aloneFloorAdded = aloneFloors ? aloneFloors.gatehouse.p50 - aloneFloors.direct.p50 : null;
  const floorLine = floors
    ? `HTTP floor, a trivial GET (\`/healthz\`) one at a time, p50: direct ${plainMs(floors.direct.p50)}, through \`wrangler dev\` ${plainMs(floors.gatehouse.p50)} (${addedMs(floorAdded)} before any gateway work)${aloneFloors ? `, the Worker alone in workerd ${plainMs(aloneFloors.gatehouse.p50)} (${addedMs(aloneFloorAdded)} over direct ${plainMs(aloneFloors.direct.p50)} in that part)` : ""}`
    : null;
  const byProcess = notes?.cpuSecondsByProcess?.gatehouse ?? {};
  const totalCpu = Object.values(byProcess).reduce((a, b) => a + b, 0);
  const wranglerNode = byProcess["node cli.js"] ?? 0;
  const devProxy = byProcess["workerd (dev proxy)"] ?? 0;
  const workerProc = byProcess["workerd (Worker)"] ?? 0;
  /** @param {number} v */
  const pct = (v) => `${totalCpu > 0 ? ((100 * v) / totalCpu).toFixed(0) : "?"} %`;
  const cpuLine =
    totalCpu > 0
      ? `of the ${totalCpu.toFixed(0)} CPU seconds Gatehouse's processes used in the measured part, wrangler's Node process (\`node cli.js\`) took ${wranglerNode.toFixed(0)} s and its dev-proxy workerd ${devProxy.toFixed(0)} s (together ${pct(wranglerNode + devProxy)}), the workerd running the Worker ${workerProc.toFixed(0)} s (${pct(workerProc)})`
      : null;
  /**
   * What the Worker itself adds, from the workerd part: its added figure less workerd's own
   * HTTP floor.
   * @param {number | null} v
   * @param {string} what
   */
  const itselfLine = (v, what) =>
    v === null
      ? null
      : `The Worker itself, alone in workerd, adds ${addedMs(v)} to ${what}${aloneFloorAdded === null ? "" : `; workerd's HTTP floor accounts for ${addedMs(aloneFloorAdded)} of it, the other ${addedMs(v - aloneFloorAdded)} is spent inside the Worker's request (key check, the gate Durable Object call, the upstream fetch from workerd, the log write)`}.`;

  /**
   * One latency target at c=1.
   * @param {string} title
   * @param {string} workload
   * @param {(s: Summary) => number | null | undefined} p50
   * @param {(s: Summary) => number | null | undefined} p99
   * @param {number} limit
   * @param {string} what
   */
  const latencyTarget = (title, workload, p50, p99, limit, what) => {
    const x = find(cells, workload, 1);
    const w = find(alone, workload, 1);
    const g = added(x, "gatehouse", p50);
    const a = added(w, "gatehouse", p50);
    const p = added(x, "portkey", p50);
    const out = [
      `- **${title} — target ≤ ${limit} ms.** \`npm start\` ${addedMs(g)} (p99 ${addedMs(added(x, "gatehouse", p99))}); the Worker alone in workerd ${addedMs(a)} (p99 ${addedMs(added(w, "gatehouse", p99))}); Portkey ${addedMs(p)}. Under \`npm start\`: ${verdict(g, limit)}. The Worker alone: ${verdict(a, limit)}.`,
    ];
    const gaps = [];
    if (g !== null && g > limit) gaps.push(`${addedMs(g - limit)} under \`npm start\``);
    if (a !== null && a > limit) gaps.push(`${addedMs(a - limit)} for the Worker alone`);
    if (gaps.length > 0) {
      out.push(`  - Gap over the target: ${gaps.join(", ")}.`);
      const cause = [floorLine, cpuLine].filter(Boolean).join("; ");
      if (g !== null && g > limit && cause) {
        out.push(
          `  - Cause under \`npm start\`: every request crosses wrangler's dev-proxy workerd (a Durable Object that fetches it again from the Worker's workerd) on its way in, and its answer on its way out. ${cause[0].toUpperCase()}${cause.slice(1)}. CPU per ${workload === "stream" ? "200-event stream" : "request"} at c=1: Gatehouse's process tree ${plainMs(cpu(x, "gatehouse"))}, workerd alone ${plainMs(cpu(w, "gatehouse"))}, Portkey ${plainMs(cpu(x, "portkey"))}.`,
        );
      }
      const itself = itselfLine(a, what);
      if (itself) out.push(`  - ${itself}`);
    }
    return out;
  };

  lines.push(
    ...latencyTarget(
      "Added p50, non-streaming, c=1",
      "json",
      (s) => s.latency?.p50,
      (s) => s.latency?.p99,
      1,
      "a non-streaming request (p50)",
    ),
    ...latencyTarget(
      "Added time to first streamed byte, p50, c=1",
      "stream",
      (s) => s.ttfb?.p50,
      (s) => s.ttfb?.p99,
      2,
      "the first streamed byte (p50)",
    ),
  );

  // Added delay per event: per stream, the largest gap between two events less the pace.
  {
    const x = find(cells, "stream", 1);
    const w = find(alone, "stream", 1);
    const g = added(x, "gatehouse", (s) => s.eventDelay?.p50);
    const a = added(w, "gatehouse", (s) => s.eventDelay?.p50);
    const p = added(x, "portkey", (s) => s.eventDelay?.p50);
    /** @param {Cell | undefined} c @param {string} t */
    const worst = (c, t) => plainMs(c?.targets[t]?.eventDelay?.max);
    lines.push(
      `- **Added delay per event, c=1 — target ≤ 1 ms.** Per stream, the largest gap between two consecutive events less the pace ("event delay" in the streaming tables); p50 over streams, added over direct: \`npm start\` ${addedMs(g)} (worst stream ${worst(x, "gatehouse")} against direct's ${worst(x, "direct")}); the Worker alone in workerd ${addedMs(a)} (worst ${worst(w, "gatehouse")} against ${worst(w, "direct")}); Portkey ${addedMs(p)} (worst ${worst(x, "portkey")}). Under \`npm start\`: ${verdict(g, 1)}. The Worker alone: ${verdict(a, 1)}.`,
    );
    const gaps = [];
    if (g !== null && g > 1) gaps.push(`${addedMs(g - 1)} under \`npm start\``);
    if (a !== null && a > 1) gaps.push(`${addedMs(a - 1)} for the Worker alone`);
    if (gaps.length > 0) {
      lines.push(`  - Gap over the target: ${gaps.join(", ")}.`);
      if (g !== null && g > 1) {
        lines.push(
          `  - Cause under \`npm start\`: every chunk crosses wrangler's dev-proxy workerd on its way out. CPU per ${find(cells, "stream", 1) ? "200-event " : ""}stream at c=1: Gatehouse's process tree ${plainMs(cpu(x, "gatehouse"))}, the Worker alone in workerd ${plainMs(cpu(w, "gatehouse"))}, Portkey ${plainMs(cpu(x, "portkey"))}${cpuLine ? `; ${cpuLine}` : ""}.`,
        );
      }
      if (a !== null && a > 1) {
        lines.push(
          `  - The Worker alone in workerd delays the worst event of a typical stream by ${addedMs(a)} more than direct, with client, fake and workerd on the same cores.`,
        );
      }
    }
  }

  // Throughput at c=50, both workloads.
  const devProxyLimit = notes?.openFileLimits?.["workerd (dev proxy)"];
  const devProxyFiles = (notes?.openFiles ?? [])
    .map((o) => `${o.after} ${o.byProcess["workerd (dev proxy)"] ?? "?"}`)
    .join(", ");
  const tooMany = notes?.gatewayErrorOutput?.gatehouse?.tooManyOpenFiles;
  for (const workload of ["json", "stream"]) {
    const x = find(cells, workload, 50);
    const w = find(alone, workload, 50);
    const g = rps(x, "gatehouse");
    const a = rps(w, "gatehouse");
    const p = rps(x, "portkey");
    const gs = x?.targets.gatehouse;
    const failures = gs ? gs.n - gs.ok : 0;
    const label = workload === "json" ? "non-streaming" : "streaming";
    /** @param {number | null} v */
    const met = (v) =>
      v === null || p === null ? "not measured" : v >= p ? "**met**" : "**not met**";
    lines.push(
      `- **Throughput, ${label}, c=50 — target ≥ Portkey's.** \`npm start\` ${reqs(g)}${gs ? ` (${gs.ok}/${gs.n} succeeded)` : ""}; the Worker alone in workerd ${reqs(a)} (direct ${reqs(rps(w, "direct"))} in that part); Portkey ${reqs(p)} (direct ${reqs(rps(x, "direct"))}). Under \`npm start\`: ${met(g)}. The Worker alone: ${met(a)} (against Portkey's figure from the main part).`,
    );
    const gaps = [];
    if (g !== null && p !== null && g < p) {
      gaps.push(
        `${(p - g).toFixed(0)} req/s under \`npm start\` (×${(g / p).toFixed(2)} Portkey's)`,
      );
    }
    if (a !== null && p !== null && a < p) {
      gaps.push(`${(p - a).toFixed(0)} req/s for the Worker alone (×${(a / p).toFixed(2)})`);
    }
    if (gaps.length === 0) continue;
    lines.push(`  - Gap: ${gaps.join(", ")}.`);
    if (g !== null && p !== null && g < p) {
      if (workload === "stream" && failures > 0) {
        lines.push(
          `  - Cause under \`npm start\`: ${failures} of ${gs?.n} streams failed (${Object.entries(
            gs?.errors ?? {},
          )
            .map(([k, n]) => `${n}× ${k}`)
            .join(
              ", ",
            )}). Wrangler's dev proxy holds files open for the chunks of the streams it is passing on: its open files, counted once each cell had ended, were ${devProxyFiles || "not recorded"}${devProxyLimit ? ` (its limit: ${devProxyLimit})` : ""}${tooMany ? `, and \`npm start\` printed ${tooMany} "Too many open files" errors` : ""}. The Worker alone in workerd ${a !== null && w?.targets.gatehouse ? `completed ${w.targets.gatehouse.ok}/${w.targets.gatehouse.n} streams at c=50, with workerd's open files ${workerd?.notes.openFiles.before} before its measured cells and ${workerd?.notes.openFiles.after} after` : "was not measured"}.`,
        );
      } else {
        lines.push(
          `  - Cause under \`npm start\`: CPU. Client, fake and gateway share 2 cores, and Gatehouse's process tree used ${plainMs(cpu(x, "gatehouse"))} of CPU per request at c=50 against Portkey's ${plainMs(cpu(x, "portkey"))}${cpuLine ? `; ${cpuLine}` : ""}.`,
        );
      }
    }
    if (a !== null && p !== null && a < p) {
      const ad = rps(w, "direct");
      const pd = rps(x, "direct");
      lines.push(
        `  - The Worker alone in workerd used ${plainMs(cpu(w, "gatehouse"))} of CPU per ${workload === "stream" ? "stream" : "request"} at c=50 (Portkey ${plainMs(cpu(x, "portkey"))}), on the same 2 cores as client and fake. The two figures come from different parts of the run: relative to direct in its own part, the Worker alone reached ×${ad ? (a / ad).toFixed(2) : "–"} direct's req/s and Portkey ×${pd && p !== null ? (p / pd).toFixed(2) : "–"}.`,
      );
    }
  }
  return lines;
}

/**
 * Rewrites the "Against the design's targets" section of BENCHMARKS.md in place from
 * bench/results.json and bench/workerd-results.json (after `npm run bench:workerd`).
 * @param {string} [file]
 */
export function refreshTargetChecks(file = BENCHMARKS_FILE) {
  const bench = readBenchResults();
  if (!bench) return;
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return;
  }
  const heading = "## Against the design's targets\n";
  const start = text.indexOf(heading);
  const end = text.indexOf("\n## Results", start);
  if (start === -1 || end === -1) return;
  const checks = targetChecks(bench.cells, bench.notes, readWorkerdResults()).join("\n");
  writeFileSync(file, `${text.slice(0, start)}${heading}\n${checks}\n${text.slice(end)}`);
}

/**
 * Tables for one workload, for the terminal and the Markdown report alike.
 * @param {string} label
 * @param {Cell[]} cells
 * @param {boolean} stream
 */
export function workloadSection(label, cells, stream) {
  const done = cells.filter((c) => !c.skipped);
  const skipped = cells.filter((c) => c.skipped).map((c) => `c=${c.concurrency}`);
  const parts = [`### ${label}`, "", figuresTable(done, stream), ""];
  parts.push("Ratios, ×direct / ×Portkey:", "", ratiosTable(done, stream), "");
  const errors = errorLines(done);
  const gaveUp = done
    .filter((c) => (c.gaveUp ?? []).length > 0)
    .map(
      (c) =>
        `- c=${c.concurrency}: later rounds skipped for ${c.gaveUp?.join(", ")} after a slice with no success.`,
    );
  if (errors.length > 0) parts.push("Failures:", "", ...errors, ...gaveUp, "");
  if (skipped.length > 0) parts.push(`Skipped (time budget spent): ${skipped.join(", ")}.`, "");
  const other = done
    .filter((c) => typeof c.otherCores === "number")
    // Clamped at 0: sampling edges can make "everything else" come out a hair negative.
    .map((c) => `c=${c.concurrency} ${Math.max(0, c.otherCores ?? 0).toFixed(2)}`);
  if (other.length > 0) {
    parts.push(
      `CPU used by other processes on the machine meanwhile, in cores: ${other.join(", ")}.`,
      "",
    );
  }
  return parts.join("\n");
}

/**
 * @typedef {object} Meta
 * @property {string} date
 * @property {boolean} quick
 * @property {{ cores: number, cpu: string, memoryGiB: number, kernel: string, loadBefore: number[], loadAfter: number[] }} machine
 * @property {Record<string, string>} versions
 * @property {number} durationS The main part.
 * @property {number} [totalS] The whole `npm run bench`, workerd and MCP parts included.
 * @property {{ paceMs: number, deltas: number, rounds: number }} config
 *
 * @typedef {object} Notes
 * @property {{ json: number, streams: number, aborted: number, rejected: number, peakOpen: number }} fakeUpstream
 * @property {Record<string, { ok: number, p50: number, p99: number }>} floors
 * @property {Record<string, { mb: number, byProcessMb: Record<string, number> }>} rssPeaks
 * @property {Record<string, Record<string, number>>} cpuSecondsByProcess
 * @property {{ target: string, workload: string, concurrency: number, error: string, events: number, tail: string }[]} failureSamples
 * @property {Record<string, { count: number, last: string[], tooManyOpenFiles?: number }>} gatewayErrorOutput
 * @property {unknown} latestGatehouseLogRow
 * @property {{ after: string, byProcess: Record<string, number> }[]} [openFiles] Gatehouse's
 *   open files by process, after the warm-up and after each cell.
 * @property {Record<string, number>} [openFileLimits] Gatehouse's soft open-file limits.
 */

/**
 * BENCHMARKS.md: machine, versions, method, the design's targets, the tables, and notes, then
 * the workerd, breakdown and MCP sections of the current file, if any.
 * @param {Meta} meta
 * @param {Notes} notes
 * @param {Cell[]} cells
 * @param {string[]} sections From workloadSection, one per workload.
 */
export function benchmarksMarkdown(meta, notes, cells, sections) {
  // Written by `npm run bench:workerd` and `npm run bench:mcp` (which `npm run bench` runs as
  // its second and third parts) and by `npm run bench:breakdown` (run on its own): carried
  // over as they are.
  const workerd = keptSection("workerd");
  const breakdownSection = keptSection("breakdown");
  const mcp = keptSection("mcp");
  // Written by `npm run bench:export` (a part of `npm run bench` too).
  const exportSection = keptSection("export");
  const beforeAfter = keptSection("before-after");
  const v = meta.versions;
  const m = meta.machine;
  const { paceMs, deltas, rounds } = meta.config;
  const floors = Object.entries(notes.floors)
    .map(([name, f]) => `${name} ${ms(f.p50)} / ${ms(f.p99)} ms`)
    .join(", ");
  const peaks = Object.entries(notes.rssPeaks).map(
    ([name, p]) => `- Peak RSS of ${name}: ${p.mb.toFixed(0)} MB (${breakdown(p.byProcessMb)}).`,
  );
  const cpu = Object.entries(notes.cpuSecondsByProcess).map(
    ([name, parts]) =>
      `- CPU seconds used by ${name} during the measured part: ${breakdown(parts)}.`,
  );
  const tails = notes.failureSamples.map(
    (t) =>
      `- First "${t.error}" from ${t.target}, ${t.workload} c=${t.concurrency}: \`${JSON.stringify(t.tail)}\``,
  );
  const printed = Object.entries(notes.gatewayErrorOutput).map(([name, e]) =>
    e.count === 0
      ? `- ${name} printed no error lines.`
      : `- ${name} printed ${e.count} error lines; the last different ones: ${e.last.map((l) => `\`${l}\``).join("; ")}`,
  );
  const openFiles = (notes.openFiles ?? []).map(
    (o) => `${o.after} ${o.byProcess["workerd (dev proxy)"] ?? "?"}`,
  );
  const limits = notes.openFileLimits ?? {};
  const files =
    openFiles.length > 0
      ? [
          `- Open files of wrangler's dev-proxy workerd (limit ${limits["workerd (dev proxy)"] ?? "?"}), after: ${openFiles.join(", ")}.`,
        ]
      : [];
  const took =
    meta.totalS === undefined
      ? `the run took ${meta.durationS} s`
      : `\`npm run bench\` took ${meta.totalS} s in all: ${meta.durationS} s for this main part, the rest for the workerd and MCP parts (their sections below)`;
  const f = notes.fakeUpstream;
  return `# Benchmarks

Produced by \`npm run bench\` (\`bench/run.mjs\`) on ${meta.date}${meta.quick ? " — **quick run (BENCH_QUICK=1), small samples**" : ""}; ${took}. Raw figures: \`bench/results.json\`.

## Machine

- ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, Linux ${m.kernel}; load average ${m.loadBefore.join(" ")} before the run, ${m.loadAfter.join(" ")} after
- Node ${v.node}, wrangler ${v.wrangler} (workerd ${v.workerd}), @portkey-ai/gateway ${v.portkey} on @hono/node-server ${v.honoNodeServer}, client undici ${v.undici}

## Method

- A fake Anthropic Messages API (\`bench/fake-upstream.mjs\`, on a worker thread of the bench process) answers a one-token JSON message, or streams ${deltas} \`content_block_delta\` events one every ${paceMs} ms between the usual message events, each event its own write with Nagle off.
- Targets: **direct** to the fake; **gatehouse** started as \`npm start\` does (\`wrangler dev\`, local D1 and Durable Objects in a temp dir), called like Claude Desktop with the downloaded profile: standard virtual key as \`x-api-key\`, passthrough key in \`X-Archestra-Virtual-Key\`, \`X-Archestra-Agent-Id\` (so key checks, the gate Durable Object and request logging are all on); **portkey**, its Node server from the npm package, with \`x-portkey-provider: anthropic\` and \`x-portkey-custom-host\` pointing at the fake.
- Closed loop: c clients, each sending its next request when its last one ended, with undici's \`request\` and keep-alive connections. Each cell (workload × concurrency) runs in ${rounds} rounds; in each round every target gets a third of the requests, the order of targets rotating, each slice after an unmeasured burst of c requests that opens its connections and a pause until both gateways are idle. Client, fake and gateways share the ${m.cores} cores.
- Per request: latency to the end of the body, time to its first byte (TTFB), and for streams the largest gap between two consecutive events as received minus the ${paceMs} ms pace ("event delay"; events arriving in one chunk are 0 apart). "+" columns are the target's percentile minus direct's at the same concurrency. req/s counts successful requests over the time the target was driven. Peak RSS sums VmRSS over the gateway's whole process tree (for Gatehouse: the \`npm start\` launcher, wrangler and its two workerd processes), sampled every 100 ms while the cell ran against it; CPU ms/req is that tree's CPU time over the same windows, per request.
- Percentiles are over successful requests; every failure is counted under "errors" and listed by kind.
- Gatehouse's figures are those of \`wrangler dev\`, which \`npm start\` runs, not of a deployed Worker: its dev proxy (a second workerd, with a Durable Object that fetches each request again from the Worker's workerd) sits on every request, and wrangler reloads the Worker when its sources change. \`npm start\` runs wrangler with its DevTools inspector off, which it otherwise feeds every network event of the Worker through Node (bench/README.md). The CPU and memory breakdowns under Notes show how much of the total they take.

## Against the design's targets

${targetChecks(cells, notes, workerd ? readWorkerdResults() : null).join("\n")}

## Results

${sections.join("\n")}
## Notes

- HTTP floor, a trivial GET one at a time (p50 / p99): ${floors}.
${[...peaks, ...cpu, ...files].join("\n")}
- The fake upstream served ${f.json} JSON replies and ${f.streams} complete streams (at most ${f.peakOpen} at once); ${f.aborted} streams were abandoned mid-way and ${f.rejected} requests refused.
${[...tails, ...printed].join("\n")}
- Newest Gatehouse request-log row after the non-streaming cells (logging was on): \`${JSON.stringify(notes.latestGatehouseLogRow)}\`
${workerd ? `\n${workerd}\n` : ""}${breakdownSection ? `\n${breakdownSection}\n` : ""}${mcp ? `\n${mcp}\n` : ""}${exportSection ? `\n${exportSection}\n` : ""}${beforeAfter ? `\n${beforeAfter}\n` : ""}`;
}
