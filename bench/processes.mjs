// Gateway processes: started in their own process group, found again through /proc, and
// stopped by process-group id, never by name. `npm start` puts wrangler (and the workerd it
// starts) in a second group below its own, so "the gateway" here is the whole process tree
// under the pid we spawned, across all the groups in it.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { stripVTControlCharacters } from "node:util";

const OUTPUT_TAIL_CHARS = 20_000;

/**
 * @typedef {object} ProcInfo
 * @property {number} pid
 * @property {number} ppid
 * @property {number} pgid
 * @property {string} comm
 * @property {string} state "Z" for a zombie: exited, waiting to be reaped.
 * @property {number} cpuTicks User plus system CPU time so far, in clock ticks (1/100 s).
 *
 * @typedef {object} Started
 * @property {string} name
 * @property {number} pid
 * @property {import("node:child_process").ChildProcess} child
 * @property {() => string} output The last ~20 kB the process printed.
 * @property {() => { count: number, last: string[], tooManyOpenFiles: number }} errors Lines it
 *   printed that mention an error: how many, the last few different ones, and how many of
 *   them say "Too many open files".
 * @property {() => void} [afterStop] Clean-up once the processes are gone (temp dirs).
 * @property {Set<number>} groups Every process group seen in its tree so far.
 */

/** Process groups we started or found under what we started: stopped on any exit path. */
const knownGroups = new Set();
/** @type {Set<Started>} What startGroup started and stopGroup has not stopped yet. */
const running = new Set();
/** @type {Map<Started, Promise<void>>} Stops under way, so that two callers wait for one. */
const stopping = new Map();

/** @returns {ProcInfo[]} */
export function listProcesses() {
  /** @type {ProcInfo[]} */
  const list = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    list.push({
      pid: Number(entry),
      comm: stat.slice(stat.indexOf("(") + 1, close),
      state: fields[0],
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
    });
  }
  return list;
}

/**
 * The process `rootPid` and all its descendants.
 * @param {number} rootPid
 * @param {ProcInfo[]} [all]
 */
export function processTree(rootPid, all = listProcesses()) {
  const children = new Map();
  for (const p of all) {
    const siblings = children.get(p.ppid) ?? [];
    siblings.push(p);
    children.set(p.ppid, siblings);
  }
  const tree = all.filter((p) => p.pid === rootPid);
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i].pid) ?? []));
  return tree;
}

/** CPU ticks (1/100 s) used by a process tree so far. @param {number} rootPid */
export function treeCpuTicks(rootPid) {
  return processTree(rootPid).reduce((sum, p) => sum + p.cpuTicks, 0);
}

/**
 * Waits (up to `maxMs`) until every group of process trees uses at most a tenth of a core
 * (2 ticks per 200 ms, the group's trees counted together), so one slice's leftovers (log
 * writes, flushes) do not land on the next.
 * @param {number[][]} groups Root pids, grouped.
 * @param {number} maxMs
 */
export async function untilIdle(groups, maxMs) {
  const ticks = () => groups.map((pids) => pids.reduce((sum, pid) => sum + treeCpuTicks(pid), 0));
  const deadline = Date.now() + maxMs;
  let before = ticks();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const after = ticks();
    if (after.every((t, i) => t - before[i] <= 2)) return;
    before = after;
  }
}

/** Busy and total CPU ticks of the whole machine so far, from /proc/stat. */
export function machineTicks() {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * A readable name for a process, so that `npm start`'s launcher, wrangler and its two
 * workerd processes can be told apart: node by its script; of wrangler dev's workerd
 * processes, the one with an inspector runs the Worker, the other is wrangler's dev proxy
 * on the public port.
 * @param {number} pid
 * @param {string} comm
 */
export function processLabel(pid, comm) {
  let argv;
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return comm;
  }
  if (comm === "node") {
    const script = argv.slice(1).find((a) => !a.startsWith("-"));
    return script ? `node ${script.split("/").pop()}` : "node";
  }
  if (comm === "workerd") {
    return argv.some((a) => a.startsWith("--inspector-addr"))
      ? "workerd (Worker)"
      : "workerd (dev proxy)";
  }
  return comm;
}

/**
 * Open file descriptors per process of a tree, by label (see processLabel).
 * @param {number} rootPid
 * @returns {Record<string, number>}
 */
export function openFilesByProcess(rootPid) {
  /** @type {Record<string, number>} */
  const byProcess = {};
  for (const p of processTree(rootPid)) {
    let count = 0;
    try {
      count = readdirSync(`/proc/${p.pid}/fd`).length;
    } catch {
      continue;
    }
    const label = processLabel(p.pid, p.comm);
    byProcess[label] = (byProcess[label] ?? 0) + count;
  }
  return byProcess;
}

/**
 * The soft open-file limit of each process of a tree, by label, from /proc/<pid>/limits.
 * @param {number} rootPid
 * @returns {Record<string, number>}
 */
export function openFileLimits(rootPid) {
  /** @type {Record<string, number>} */
  const limits = {};
  for (const p of processTree(rootPid)) {
    try {
      const line = readFileSync(`/proc/${p.pid}/limits`, "utf8")
        .split("\n")
        .find((l) => l.startsWith("Max open files"));
      const soft = Number(line?.split(/\s+/)[3]);
      if (Number.isFinite(soft)) limits[processLabel(p.pid, p.comm)] = soft;
    } catch {
      // gone
    }
  }
  return limits;
}

/** @param {number} pid Resident set size in kB, 0 if the process is gone. */
export function rssKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Starts a command in its own process group, keeping the tail of its output for diagnostics.
 * @param {string} name
 * @param {string[]} args Arguments to node.
 * @param {{ cwd: string, env: NodeJS.ProcessEnv, afterStop?: () => void }} options
 * @returns {Started}
 */
export function startGroup(name, args, options) {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (!child.pid) throw new Error(`Could not start ${name}.`);
  let output = "";
  let partial = "";
  /** @type {{ count: number, last: string[], tooManyOpenFiles: number }} */
  const errors = { count: 0, last: [], tooManyOpenFiles: 0 };
  /** @param {string} text */
  const keep = (text) => {
    output = (output + text).slice(-OUTPUT_TAIL_CHARS);
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const raw of lines) {
      // Without terminal colours, and short: only for telling what went wrong.
      const line = stripVTControlCharacters(raw).trim().slice(0, 240);
      if (!/error|too many open files/i.test(line)) continue;
      errors.count += 1;
      if (/too many open files/i.test(line)) errors.tooManyOpenFiles += 1;
      if (!errors.last.includes(line)) errors.last = [...errors.last, line].slice(-3);
    }
  };
  // Decoded as a stream, so a character split across two chunks is not mangled.
  child.stdout?.setEncoding("utf8").on("data", keep);
  child.stderr?.setEncoding("utf8").on("data", keep);
  /** @type {Started} */
  const started = {
    name,
    pid: child.pid,
    child,
    output: () => output,
    errors: () => ({ ...errors, last: [...errors.last] }),
    afterStop: options.afterStop,
    groups: new Set([child.pid]),
  };
  knownGroups.add(child.pid);
  running.add(started);
  return started;
}

/**
 * Remembers the groups now in the tree, so they are stopped even if the process that made
 * them is gone by then (its children then leave the tree).
 * @param {Started} started
 */
export function rememberGroups(started) {
  for (const p of processTree(started.pid)) {
    started.groups.add(p.pgid);
    knownGroups.add(p.pgid);
  }
}

/** @param {number} pgid @param {NodeJS.Signals} signal */
function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // no such group any more
  }
}

/**
 * SIGTERM to every group in the tree, then SIGKILL to what is left after `graceMs`.
 * @param {Started} started
 * @param {number} [graceMs]
 */
export function stopGroup(started, graceMs = 8_000) {
  let stop = stopping.get(started);
  if (!stop) {
    stop = terminate(started, graceMs).finally(() => running.delete(started));
    stopping.set(started, stop);
  }
  return stop;
}

/** @param {Started} started @param {number} graceMs */
async function terminate(started, graceMs) {
  rememberGroups(started);
  const groups = started.groups;
  for (const pgid of groups) signalGroup(pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  const living = () =>
    new Set(
      listProcesses()
        .filter((p) => groups.has(p.pgid) && p.state !== "Z")
        .map((p) => p.pgid),
    );
  while (living().size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pgid of living()) {
    signalGroup(pgid, "SIGKILL");
    console.error(`${started.name}: process group ${pgid} ignored SIGTERM and was killed.`);
  }
  for (const pgid of groups) knownGroups.delete(pgid);
  started.afterStop?.();
}

/** Stops everything still running that startGroup started, whatever state the run is in. */
export async function stopAll() {
  await Promise.all([...running].map((started) => stopGroup(started)));
}

/** Last resort on process exit (synchronous): kill whatever group is still known. */
export function killKnownGroupsNow() {
  for (const pgid of knownGroups) signalGroup(pgid, "SIGKILL");
  knownGroups.clear();
}

/** Last resort on process exit (synchronous): SIGKILL each of `pids` still running. @param {number[]} pids */
export function killNow(pids) {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * However a bench script ends, what it started stops: a signal (SIGINT, SIGTERM, SIGHUP) runs
 * `cleanup` and exits 130; after `watchdogMs`, `onWatchdog` runs (by default it prints
 * `overdue`, cleans up and exits 1); on exit, `lastResort` runs, synchronously, for whatever
 * the clean-up did not get to.
 * @param {{ stopping: string, cleanup: () => Promise<void>, lastResort: () => void, watchdogMs: number, overdue?: string, onWatchdog?: () => void }} options
 */
export function guardRun({ stopping, cleanup, lastResort, watchdogMs, overdue, onWatchdog }) {
  for (const signal of /** @type {NodeJS.Signals[]} */ (["SIGINT", "SIGTERM", "SIGHUP"])) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping ${stopping}.`);
      cleanup().finally(() => process.exit(130));
    });
  }
  process.on("exit", lastResort);
  const fire =
    onWatchdog ??
    (() => {
      console.error(overdue);
      cleanup().finally(() => process.exit(1));
    });
  setTimeout(fire, Math.max(0, watchdogMs)).unref();
}
