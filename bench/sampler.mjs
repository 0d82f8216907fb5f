// Samples each gateway's process tree every 100 ms on a worker thread: resident memory (sum
// of VmRSS) and CPU time, plus the whole machine's CPU, so that the report can show memory,
// CPU per request, and how busy everything else on the machine was. Reading /proc is
// synchronous; on the client's event loop it would stall requests in flight.
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { listProcesses, machineTicks, processLabel, processTree, rssKb } from "./processes.mjs";

/**
 * @typedef {object} Sample
 * @property {number} t Epoch milliseconds (performance.timeOrigin + performance.now()).
 * @property {Record<string, number>} kb Sum of VmRSS over each named tree, in kB.
 * @property {Record<string, number>} cpu CPU ticks (1/100 s) each named tree has used.
 * @property {number} self CPU ticks the benchmark process itself has used.
 * @property {{ busy: number, total: number }} machine
 *
 * @typedef {object} Peak
 * @property {number} kb
 * @property {Record<string, number>} byProcess The same sample per process, in kB.
 *
 * @typedef {object} SamplerRecord
 * @property {Sample[]} samples
 * @property {Record<string, Peak>} peaks
 * @property {Record<string, Record<string, number>>} cpuByProcess CPU seconds per process
 *   of each tree over the sampled time.
 */

/**
 * @param {Record<string, number>} roots Name to root pid.
 * @param {number} [intervalMs]
 * @returns {{ stop: () => Promise<SamplerRecord> }}
 */
export function startSampler(roots, intervalMs = 100) {
  const worker = new Worker(fileURLToPath(import.meta.url), {
    workerData: { benchSampler: { roots, intervalMs } },
  });
  /** @type {Promise<SamplerRecord>} */
  const record = new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  // A sampler must never keep the benchmark alive on its own.
  worker.unref();
  return {
    stop: async () => {
      worker.postMessage("stop");
      const result = await record;
      await worker.terminate();
      return result;
    },
  };
}

if (!isMainThread && workerData?.benchSampler && parentPort) {
  const port = parentPort;
  /** @type {{ roots: Record<string, number>, intervalMs: number }} */
  const { roots, intervalMs } = workerData.benchSampler;
  /** @type {Sample[]} */
  const samples = [];
  /** @type {Record<string, Peak>} */
  const peaks = {};
  /** Per tree, per pid: label and CPU ticks when first and last seen. */
  /** @type {Map<string, Map<number, { label: string, first: number, last: number }>>} */
  const seen = new Map(Object.keys(roots).map((name) => [name, new Map()]));
  let firstSample = true;

  const sample = () => {
    const t = performance.timeOrigin + performance.now();
    /** @type {Sample} */
    const s = { t, kb: {}, cpu: {}, self: 0, machine: machineTicks() };
    const all = listProcesses();
    for (const [name, rootPid] of Object.entries(roots)) {
      const pids = seen.get(name) ?? new Map();
      /** @type {Record<string, number>} */
      const byProcess = {};
      let kb = 0;
      let cpu = 0;
      for (const p of processTree(rootPid, all)) {
        const rss = rssKb(p.pid);
        const known = pids.get(p.pid);
        const label = known?.label ?? processLabel(p.pid, p.comm);
        // A process first seen after the start used all its CPU time within the run.
        if (known) known.last = p.cpuTicks;
        else pids.set(p.pid, { label, first: firstSample ? p.cpuTicks : 0, last: p.cpuTicks });
        kb += rss;
        cpu += p.cpuTicks;
        byProcess[label] = (byProcess[label] ?? 0) + rss;
      }
      s.kb[name] = kb;
      s.cpu[name] = cpu;
      if (kb > (peaks[name]?.kb ?? 0)) peaks[name] = { kb, byProcess };
    }
    s.self = all.find((p) => p.pid === process.pid)?.cpuTicks ?? 0;
    samples.push(s);
    firstSample = false;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  port.on("message", () => {
    clearInterval(timer);
    sample();
    /** @type {Record<string, Record<string, number>>} */
    const cpuByProcess = {};
    for (const [name, pids] of seen) {
      cpuByProcess[name] = {};
      for (const { label, first, last } of pids.values()) {
        cpuByProcess[name][label] = (cpuByProcess[name][label] ?? 0) + (last - first) / 100;
      }
    }
    port.postMessage({ samples, peaks, cpuByProcess });
  });
}
