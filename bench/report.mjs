// Tables for the terminal and BENCHMARKS.md. Every figure is shown absolute, as "added" over
// direct where that means something, and as a ratio to direct and to Portkey.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BENCHMARKS_FILE = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));

/** The section `npm run bench:mcp` owns in BENCHMARKS.md, kept when `npm run bench` rewrites it. */
export const MCP_SECTION_START = "<!-- mcp-bench:start -->";
export const MCP_SECTION_END = "<!-- mcp-bench:end -->";

/**
 * The MCP section of the BENCHMARKS.md on disk, markers included, or "" if it has none.
 * @param {string} [file]
 */
export function keptMcpSection(file = BENCHMARKS_FILE) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return "";
  }
  const start = text.indexOf(MCP_SECTION_START);
  const end = text.indexOf(MCP_SECTION_END, start);
  if (start === -1 || end === -1) return "";
  return text.slice(start, end + MCP_SECTION_END.length);
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
 * @typedef {object} Column
 * @property {string} title
 * @property {(s: Summary) => number | null | undefined} value
 * @property {"abs" | "added" | "count"} kind "added" figures are target minus direct.
 * @property {boolean} [streamOnly]
 * @property {(v: number) => string} [format]
 */

const TARGETS = ["direct", "gatehouse", "portkey"];
const GATEWAYS = ["gatehouse", "portkey"];

/** @param {number} v */
function ms(v) {
  const a = Math.abs(v);
  return v.toFixed(a < 10 ? 2 : a < 100 ? 1 : 0);
}

/** @param {number} v */
function signedMs(v) {
  return `${v < 0 ? "−" : "+"}${ms(Math.abs(v))}`;
}

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

/** @param {string[]} header @param {string[][]} rows */
function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  /** @param {string[]} cells */
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
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
          return column.kind === "added" ? signedMs(v) : ms(v);
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

/**
 * The design's performance targets, checked against this run.
 * @param {Cell[]} cells
 */
export function targetChecks(cells) {
  /** @param {string} workload @param {number} c */
  const cell = (workload, c) =>
    cells.find((x) => x.workload === workload && x.concurrency === c && !x.skipped);
  /** @param {Cell | undefined} x @param {string} t @param {(s: Summary) => number | undefined} f */
  const added = (x, t, f) => {
    const s = x?.targets[t];
    const d = x?.targets.direct;
    const a = s && f(s);
    const b = d && f(d);
    return a === undefined || b === undefined ? null : a - b;
  };
  /** @param {number | null} v */
  const show = (v) => (v === null ? "n/a" : `${signedMs(v)} ms`);
  const lines = [];
  const json1 = cell("json", 1);
  const g1 = added(json1, "gatehouse", (s) => s.latency?.p50);
  const p1 = added(json1, "portkey", (s) => s.latency?.p50);
  lines.push(
    `- Added p50, non-streaming, c=1: Gatehouse ${show(g1)} (target ≤ 1 ms: ${g1 !== null && g1 <= 1 ? "met" : "not met"}), Portkey ${show(p1)}.`,
  );
  const stream1 = cell("stream", 1);
  const g2 = added(stream1, "gatehouse", (s) => s.ttfb?.p50);
  const p2 = added(stream1, "portkey", (s) => s.ttfb?.p50);
  lines.push(
    `- Added time to first streamed byte (p50), c=1: Gatehouse ${show(g2)} (target ≤ 2 ms: ${g2 !== null && g2 <= 2 ? "met" : "not met"}), Portkey ${show(p2)}.`,
  );
  for (const workload of ["json", "stream"]) {
    const x = cell(workload, 50);
    const g = x?.targets.gatehouse?.rps;
    const p = x?.targets.portkey?.rps;
    if (g === undefined || p === undefined) continue;
    lines.push(
      `- Throughput, ${workload}, c=50: Gatehouse ${g.toFixed(0)} req/s, Portkey ${p.toFixed(0)} req/s (target ≥ Portkey: ${g >= p ? "met" : "not met"}).`,
    );
  }
  return lines;
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
 * @property {number} durationS
 * @property {{ paceMs: number, deltas: number, rounds: number }} config
 *
 * @typedef {object} Notes
 * @property {{ json: number, streams: number, aborted: number, rejected: number, peakOpen: number }} fakeUpstream
 * @property {Record<string, { ok: number, p50: number, p99: number }>} floors
 * @property {Record<string, { mb: number, byProcessMb: Record<string, number> }>} rssPeaks
 * @property {Record<string, Record<string, number>>} cpuSecondsByProcess
 * @property {{ target: string, workload: string, concurrency: number, error: string, events: number, tail: string }[]} failureSamples
 * @property {Record<string, { count: number, last: string[] }>} gatewayErrorOutput
 * @property {unknown} latestGatehouseLogRow
 */

/** "a 12, b 3" from a record of numbers, largest first. @param {Record<string, number>} parts */
function breakdown(parts) {
  return Object.entries(parts)
    .sort((a, b) => b[1] - a[1])
    .map(([name, v]) => `${name} ${v.toFixed(0)}`)
    .join(", ");
}

/**
 * BENCHMARKS.md: machine, versions, method, the design's targets, the tables, and notes, then
 * the MCP section of the current file, if any.
 * @param {Meta} meta
 * @param {Notes} notes
 * @param {Cell[]} cells
 * @param {string[]} sections From workloadSection, one per workload.
 */
export function benchmarksMarkdown(meta, notes, cells, sections) {
  // Written by `npm run bench:mcp`, a separate run: carried over as it is.
  const mcp = keptMcpSection();
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
  const f = notes.fakeUpstream;
  return `# Benchmarks

Produced by \`npm run bench\` (\`bench/run.mjs\`) on ${meta.date}${meta.quick ? " — **quick run (BENCH_QUICK=1), small samples**" : ""}; the run took ${meta.durationS} s. Raw figures: \`bench/results.json\`.

## Machine

- ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, Linux ${m.kernel}; load average ${m.loadBefore.join(" ")} before the run, ${m.loadAfter.join(" ")} after
- Node ${v.node}, wrangler ${v.wrangler} (workerd ${v.workerd}), @portkey-ai/gateway ${v.portkey} on @hono/node-server ${v.honoNodeServer}, client undici ${v.undici}

## Method

- A fake Anthropic Messages API (\`bench/fake-upstream.mjs\`, on a worker thread of the bench process) answers a one-token JSON message, or streams ${deltas} \`content_block_delta\` events one every ${paceMs} ms between the usual message events, each event its own write with Nagle off.
- Targets: **direct** to the fake; **gatehouse** started as \`npm start\` does (\`wrangler dev\`, local D1 and Durable Objects in a temp dir), called like Claude Desktop with the downloaded profile: standard virtual key as \`x-api-key\`, passthrough key in \`X-Archestra-Virtual-Key\`, \`X-Archestra-Agent-Id\` (so key checks, the gate Durable Object and request logging are all on); **portkey**, its Node server from the npm package, with \`x-portkey-provider: anthropic\` and \`x-portkey-custom-host\` pointing at the fake.
- Closed loop: c clients, each sending its next request when its last one ended, with undici's \`request\` and keep-alive connections. Each cell (workload × concurrency) runs in ${rounds} rounds; in each round every target gets a third of the requests, the order of targets rotating, each slice after an unmeasured burst of c requests that opens its connections and a pause until both gateways are idle. Client, fake and gateways share the ${m.cores} cores.
- Per request: latency to the end of the body, time to its first byte (TTFB), and for streams the largest gap between two consecutive events as received minus the ${paceMs} ms pace ("event delay"; events arriving in one chunk are 0 apart). "+" columns are the target's percentile minus direct's at the same concurrency. req/s counts successful requests over the time the target was driven. Peak RSS sums VmRSS over the gateway's whole process tree (for Gatehouse: the \`npm start\` launcher, wrangler and its two workerd processes), sampled every 100 ms while the cell ran against it; CPU ms/req is that tree's CPU time over the same windows, per request.
- Percentiles are over successful requests; every failure is counted under "errors" and listed by kind.
- Gatehouse's figures are those of \`wrangler dev\`, which \`npm start\` runs, not of a deployed Worker: its dev proxy (a second workerd) and its Node process sit on every request, and wrangler reloads the Worker when its sources change. The CPU and memory breakdowns under Notes show how much of the total they take.

## Against the design's targets

${targetChecks(cells).join("\n")}

## Results

${sections.join("\n")}
## Notes

- HTTP floor, a trivial GET one at a time (p50 / p99): ${floors}.
${[...peaks, ...cpu].join("\n")}
- The fake upstream served ${f.json} JSON replies and ${f.streams} complete streams (at most ${f.peakOpen} at once); ${f.aborted} streams were abandoned mid-way and ${f.rejected} requests refused.
${[...tails, ...printed].join("\n")}
- Newest Gatehouse request-log row after the non-streaming cells (logging was on): \`${JSON.stringify(notes.latestGatehouseLogRow)}\`
${mcp ? `\n${mcp}\n` : ""}`;
}
