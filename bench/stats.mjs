// From per-request results to the figures the report shows. Latency percentiles are over the
// successful requests only; failures are counted by kind next to them, never dropped silently.

/**
 * @typedef {object} Spread
 * @property {number} p50
 * @property {number} p99
 * @property {number} max
 *
 * @typedef {object} Summary
 * @property {number} n Requests sent.
 * @property {number} ok
 * @property {Record<string, number>} errors Failure kind to count.
 * @property {number} wallMs Time spent sending this target's requests in this cell.
 * @property {number} rps Successful requests per second of wallMs.
 * @property {Spread | null} latency Request start to end of body.
 * @property {Spread | null} ttfb Request start to first byte of body.
 * @property {Spread | null} eventDelay Streams: per request, the largest gap between two
 *   events minus the upstream's pace.
 * @property {number | null} peakRssMb Gateways: the largest sum of VmRSS over the gateway's
 *   process tree while this cell ran against it.
 * @property {number | null} cpuMsPerRequest Gateways: CPU time its process tree used while
 *   this cell ran against it, per request sent.
 *
 * @typedef {{ startedAt: number, endedAt: number }} Window
 */

/**
 * Nearest-rank percentile of an ascending array.
 * @param {number[]} sorted
 * @param {number} p 0 to 100.
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** @param {number[]} values @returns {Spread | null} */
function spread(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

/**
 * @param {import("./measure.mjs").LoopResult[]} loops This target's slices of one cell.
 * @param {{ stream: boolean, paceMs: number, peakRssKb: number | null, cpuTicks: number | null }} context
 * @returns {Summary}
 */
export function summarize(loops, context) {
  const results = loops.flatMap((l) => l.results);
  const good = results.filter((r) => r.ok);
  /** @type {Record<string, number>} */
  const errors = {};
  for (const r of results) if (!r.ok) errors[r.error ?? "?"] = (errors[r.error ?? "?"] ?? 0) + 1;
  const wallMs = loops.reduce((sum, l) => sum + l.wallMs, 0);
  return {
    n: results.length,
    ok: good.length,
    errors,
    wallMs,
    rps: wallMs > 0 ? good.length / (wallMs / 1000) : 0,
    latency: spread(good.map((r) => r.totalMs)),
    ttfb: spread(good.map((r) => r.ttfbMs)),
    eventDelay: context.stream ? spread(good.map((r) => r.maxGapMs - context.paceMs)) : null,
    peakRssMb: context.peakRssKb === null ? null : context.peakRssKb / 1024,
    // Clock ticks are 10 ms.
    cpuMsPerRequest:
      context.cpuTicks === null || results.length === 0
        ? null
        : (context.cpuTicks * 10) / results.length,
  };
}

/**
 * The largest value of `pick` among the samples inside any of the windows. A window shorter
 * than the sampling interval is widened so that it holds the samples either side of it.
 * @param {import("./sampler.mjs").Sample[]} samples
 * @param {Window[]} windows
 * @param {(s: import("./sampler.mjs").Sample) => number} pick
 */
export function peakIn(samples, windows, pick) {
  let peak = 0;
  for (const { startedAt, endedAt } of windows) {
    for (const s of samples) {
      if (s.t >= startedAt - 100 && s.t <= endedAt + 100) peak = Math.max(peak, pick(s));
    }
  }
  return peak;
}

/**
 * How much a cumulative counter grew over the windows: from the last sample at or before each
 * window's start to the first at or after its end.
 * @param {import("./sampler.mjs").Sample[]} samples In time order.
 * @param {Window[]} windows
 * @param {(s: import("./sampler.mjs").Sample) => number} pick
 */
export function growthIn(samples, windows, pick) {
  let total = 0;
  for (const { startedAt, endedAt } of windows) {
    const before = samples.findLast((s) => s.t <= startedAt) ?? samples[0];
    const after = samples.find((s) => s.t >= endedAt) ?? samples[samples.length - 1];
    if (before && after) total += pick(after) - pick(before);
  }
  return total;
}
