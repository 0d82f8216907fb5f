#!/usr/bin/env node
// `npm run bench:mcp`: MCP `tools/list` and `tools/call` sent straight to a fake upstream MCP
// server (SDK-built, stateful sessions, 20 tools) and through Gatehouse's MCP gateway
// (`npm start`, the Worker alone, an OAuth access token got through the SDK and the consent
// API), side by side on loopback, at concurrency 1, 10 and 50.
//
// Every client has its own initialized MCP session on its target and sends raw JSON-RPC POSTs
// (undici, keep-alive), each timed to the end of its body (the SDK and the gateway answer with
// SSE when the client accepts it). As in run.mjs, the targets take turns in rounds, the order
// rotating, so drift over the run falls on both alike. It writes its own section of
// BENCHMARKS.md (between the mcp-bench markers; `npm run bench` keeps it) and the raw figures
// to bench/mcp-results.json.
//
// Environment: BENCH_QUICK=1 for a short smoke run (a tenth of the requests);
// BENCH_DEADLINE_MS (epoch ms, set by `npm run bench`) to end by then whatever happens.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Agent, request } from "undici";
import { startFakeMcpUpstreamThread } from "./fake-mcp-upstream.mjs";
import { addedMs, breakdown, logSince, mapValues } from "./format.mjs";
import { gatewayAccessToken } from "./mcp-oauth.mjs";
import { interleavedRounds, now, sliceOf } from "./measure.mjs";
import { machineFacts, sectionEnd, sectionStart, writeResults, writeSection } from "./outputs.mjs";
import {
  guardRun,
  killKnownGroupsNow,
  openFilesByProcess,
  stopAll,
  untilIdle,
} from "./processes.mjs";
import { errorLines, figuresTable } from "./report.mjs";
import { startSampler } from "./sampler.mjs";
import { growthIn, peakIn, summarize } from "./stats.mjs";
import { firstAdmin, startGatehouse, versions } from "./targets.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const quick = process.env.BENCH_QUICK === "1";
const scale = quick ? 0.1 : 1;

const ROUNDS = 3;
const MAX_CONCURRENCY = 50;
const PROTOCOL_VERSION = "2025-06-18";
const SERVER_NAME = "bench";
const SLUG = "bench";
const TOOL_COUNT = 20;
const ECHO_TEXT = "hello from the bench";
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * Whatever happens, everything is stopped and the process exits after this long: 4.75 minutes,
 * or less when `npm run bench` runs this as its last part and sets BENCH_DEADLINE_MS.
 */
const WATCHDOG_MS = Math.max(
  0,
  Math.min(
    4.75 * 60_000,
    Number(process.env.BENCH_DEADLINE_MS ?? Number.POSITIVE_INFINITY) - Date.now(),
  ),
);
/** No new cell starts after this long (the cells take ~1 minute in all). */
const RUN_BUDGET_MS = Math.min(3.75 * 60_000, WATCHDOG_MS - 60_000);
const SETTLE_MAX_MS = 2_000;

/**
 * Requests per target and cell, and the wall-clock cap for one target in one cell (split over
 * the rounds); a fast target reaches the count first.
 * @type {{ concurrency: number, count: number, capMs: number }[]}
 */
const PLAN = [
  { concurrency: 1, count: 300, capMs: 6_000 },
  { concurrency: 10, count: 1500, capMs: 6_000 },
  { concurrency: 50, count: 3000, capMs: 8_000 },
];

/**
 * @typedef {object} McpTarget
 * @property {string} name "direct" or "gatehouse".
 * @property {string} url The MCP endpoint.
 * @property {Record<string, string>} headers What every request of this target carries.
 * @property {string} echoTool The echo tool's name as this target exposes it.
 *
 * @typedef {{ id: string, nextId: number }} McpSession
 *
 * @typedef {object} McpWorkload
 * @property {string} name "list" or "call".
 * @property {string} label
 * @property {(target: McpTarget, id: number) => string} body
 * @property {(result: any) => string | undefined} check An error kind, or undefined if right.
 */

const runStart = Date.now();
const log = logSince(runStart);
/** @type {import("./fake-mcp-upstream.mjs").FakeMcpUpstream | undefined} */
let fake;
/** @type {Promise<void> | undefined} */
let cleaning;

function cleanup() {
  cleaning ??= (async () => {
    await stopAll().catch((err) => console.error("Stopping Gatehouse:", err));
    await fake?.close().catch(() => {});
  })();
  return cleaning;
}

guardRun({
  stopping: "Gatehouse",
  cleanup,
  lastResort: killKnownGroupsNow,
  watchdogMs: WATCHDOG_MS,
  overdue: `The MCP benchmark ran past ${(WATCHDOG_MS / 1000).toFixed(0)} s; stopping.`,
});

const dispatcher = new Agent({
  keepAliveTimeout: 60_000,
  keepAliveMaxTimeout: 600_000,
  connections: MAX_CONCURRENCY * 2,
});

/** @type {McpWorkload[]} */
const WORKLOADS = [
  {
    name: "list",
    label: `tools/list (${TOOL_COUNT} tools)`,
    body: (_target, id) => JSON.stringify({ jsonrpc: "2.0", id, method: "tools/list" }),
    check: (result) =>
      result?.tools?.length === TOOL_COUNT ? undefined : `${result?.tools?.length ?? 0} tools`,
  },
  {
    name: "call",
    label: "tools/call echo",
    body: (target, id) =>
      JSON.stringify({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: target.echoTool, arguments: { text: ECHO_TEXT } },
      }),
    check: (result) => {
      if (result?.isError) return "tool error";
      return result?.content?.[0]?.text === ECHO_TEXT ? undefined : "wrong echo";
    },
  },
];

/**
 * The JSON-RPC message with this id, from a JSON body or from the events of an SSE body.
 * @param {string} text
 * @param {boolean} sse
 * @param {number} id
 */
function rpcAnswer(text, sse, id) {
  if (!sse) return JSON.parse(text);
  for (const line of text.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const message = JSON.parse(line.slice(5));
    if (message?.id === id) return message;
  }
  return undefined;
}

/**
 * One POST, timed to the end of its body, and its answer checked.
 * @param {McpTarget} target
 * @param {McpSession} session
 * @param {McpWorkload} workload
 * @returns {Promise<import("./measure.mjs").RequestResult>}
 */
async function timedRpc(target, session, workload) {
  const id = session.nextId++;
  const body = workload.body(target, id);
  const start = performance.now();
  /** @type {import("./measure.mjs").RequestResult} */
  const result = { ok: false, status: 0, totalMs: 0, ttfbMs: 0, maxGapMs: 0, events: 0 };
  try {
    const res = await request(target.url, {
      method: "POST",
      headers: { ...target.headers, "mcp-session-id": session.id },
      body,
      dispatcher,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    result.status = res.statusCode;
    /** @type {Buffer[]} */
    const chunks = [];
    for await (const chunk of res.body) {
      if (result.ttfbMs === 0) result.ttfbMs = performance.now() - start;
      chunks.push(chunk);
    }
    result.totalMs = performance.now() - start;
    const text = Buffer.concat(chunks).toString("utf8");
    const sse = String(res.headers["content-type"] ?? "").includes("text/event-stream");
    if (res.statusCode !== 200) {
      result.error = `HTTP ${res.statusCode}`;
      result.tail = text.slice(0, 300);
    } else {
      let answer;
      try {
        answer = rpcAnswer(text, sse, id);
      } catch {
        answer = undefined;
      }
      if (!answer) result.error = "no JSON-RPC answer";
      else if (answer.error) result.error = `JSON-RPC ${answer.error.code}`;
      else result.error = workload.check(answer.result);
      if (result.error) result.tail = text.slice(0, 300);
    }
    result.ok = result.error === undefined;
  } catch (err) {
    result.totalMs = performance.now() - start;
    const e = /** @type {Error & { code?: string }} */ (err);
    result.error = e.name === "TimeoutError" ? "timeout" : (e.code ?? e.name ?? "error");
  }
  return result;
}

/**
 * One client per session, each sending its next request as soon as its last one ended, until
 * `count` were started or `capMs` passed.
 * @param {McpTarget} target
 * @param {McpSession[]} sessions One per client.
 * @param {McpWorkload} workload
 * @param {{ count: number, capMs: number }} plan
 * @returns {Promise<import("./measure.mjs").LoopResult>}
 */
async function closedLoop(target, sessions, workload, plan) {
  /** @type {import("./measure.mjs").RequestResult[]} */
  const results = [];
  const startedAt = now();
  const stopAt = performance.now() + plan.capMs;
  let started = 0;
  /** @param {McpSession} session */
  const client = async (session) => {
    while (started < plan.count && performance.now() < stopAt) {
      started += 1;
      results.push(await timedRpc(target, session, workload));
    }
  };
  await Promise.all(sessions.map(client));
  const endedAt = now();
  return { results, startedAt, endedAt, wallMs: endedAt - startedAt };
}

/**
 * initialize, then notifications/initialized: what every MCP client does first.
 * @param {McpTarget} target
 * @returns {Promise<McpSession>}
 */
async function openSession(target) {
  const res = await request(target.url, {
    method: "POST",
    headers: target.headers,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "gatehouse-bench", version: "1.0.0" },
      },
    }),
    dispatcher,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.body.text();
  const id = res.headers["mcp-session-id"];
  if (res.statusCode !== 200 || typeof id !== "string") {
    throw new Error(`${target.name}: initialize answered ${res.statusCode} ${text.slice(0, 300)}`);
  }
  const done = await request(target.url, {
    method: "POST",
    headers: { ...target.headers, "mcp-session-id": id },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    dispatcher,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await done.body.dump();
  if (done.statusCode !== 202) {
    throw new Error(`${target.name}: notifications/initialized answered ${done.statusCode}`);
  }
  return { id, nextId: 1 };
}

/** @param {McpTarget} target @param {number} count */
async function openSessions(target, count) {
  /** @type {McpSession[]} */
  const sessions = [];
  // Ten at a time: a burst of initializes is not what is being measured.
  for (let i = 0; i < count; i += 10) {
    const batch = Math.min(10, count - i);
    sessions.push(...(await Promise.all(Array.from({ length: batch }, () => openSession(target)))));
  }
  return sessions;
}

/**
 * What an admin does through the API: first admin (locally no setup token is needed), the fake
 * as an upstream MCP server, a gateway offering it. Returns the admin's session cookie too.
 * @param {string} baseUrl
 * @param {string} upstreamUrl
 */
async function arrangeGateway(baseUrl, upstreamUrl) {
  const { cookie, api } = await firstAdmin(baseUrl);
  const server = await api("/mcp-servers", {
    name: SERVER_NAME,
    url: upstreamUrl,
    auth: { kind: "none" },
  });
  if (!server.test?.ok)
    throw new Error(`Gatehouse could not reach the fake: ${server.test?.error}`);
  const gateway = await api("/mcp-gateways", {
    slug: SLUG,
    name: "Bench",
    serverIds: [server.id],
  });
  return { cookie, api, gatewayUrl: `${baseUrl}/v1/mcp/${SLUG}`, gateway };
}

async function main() {
  log(quick ? "Quick run (BENCH_QUICK=1)." : "Full run.");
  const loadBefore = loadavg();
  fake = await startFakeMcpUpstreamThread();
  log(`Fake MCP upstream on ${fake.endpoint}.`);
  log("Starting Gatehouse (npm start, the Worker alone)...");
  const gatehouseRun = await startGatehouse(root);
  const pid = gatehouseRun.process.pid;
  log(`Gatehouse on ${gatehouseRun.baseUrl}.`);
  const arranged = await arrangeGateway(gatehouseRun.baseUrl, fake.endpoint);
  const { accessToken, expiresIn } = await gatewayAccessToken(
    gatehouseRun.baseUrl,
    arranged.gatewayUrl,
    arranged.cookie,
  );
  log(`Gateway ${arranged.gatewayUrl}; OAuth access token issued (expires in ${expiresIn} s).`);

  const common = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": PROTOCOL_VERSION,
  };
  /** @type {McpTarget[]} */
  const targets = [
    { name: "direct", url: fake.endpoint, headers: common, echoTool: "echo" },
    {
      name: "gatehouse",
      url: arranged.gatewayUrl,
      headers: { ...common, authorization: `Bearer ${accessToken}` },
      echoTool: `${SERVER_NAME}__echo`,
    },
  ];
  /** @type {Record<string, McpSession[]>} */
  const sessions = {};
  for (const target of targets) sessions[target.name] = await openSessions(target, MAX_CONCURRENCY);
  log(`${MAX_CONCURRENCY} initialized sessions per target.`);

  for (const target of targets) {
    for (const workload of WORKLOADS) {
      const r = await timedRpc(target, sessions[target.name][0], workload);
      const detail = r.ok ? `${r.totalMs.toFixed(1)} ms` : `FAILED: ${r.error} ${r.tail ?? ""}`;
      log(`Smoke ${target.name} ${workload.name}: ${detail}`);
    }
  }

  const filesBefore = openFilesByProcess(pid);
  const sampler = startSampler({ gatehouse: pid });

  // Every session once through each workload (the gateway's sessions open their upstream
  // session and fetch the tool list on first use), then a little more for the JIT.
  log("Warming up...");
  for (const target of targets) {
    for (const workload of WORKLOADS) {
      await closedLoop(target, sessions[target.name], workload, {
        count: Math.max(MAX_CONCURRENCY * 2, Math.ceil(400 * scale)),
        capMs: 15_000,
      });
    }
  }

  /** @type {{ workload: McpWorkload, concurrency: number, loops: Record<string, import("./measure.mjs").LoopResult[]>, skipped: boolean }[]} */
  const runs = [];
  for (const workload of WORKLOADS) {
    for (const step of PLAN) {
      /** @type {Record<string, import("./measure.mjs").LoopResult[]>} */
      const loops = Object.fromEntries(targets.map((t) => [t.name, []]));
      const run = { workload, concurrency: step.concurrency, loops, skipped: false };
      runs.push(run);
      if (Date.now() - runStart > RUN_BUDGET_MS) {
        run.skipped = true;
        log(`Skipping ${workload.name} c=${step.concurrency}: time budget spent.`);
        continue;
      }
      const perSlice = sliceOf(step, ROUNDS, scale);
      /** The first `concurrency` sessions of a target: one per client. @param {McpTarget} target */
      const clients = (target) => sessions[target.name].slice(0, step.concurrency);
      Object.assign(
        loops,
        await interleavedRounds(targets, ROUNDS, {
          // One request per client, so every slice starts with warm connections.
          warm: (target) =>
            closedLoop(target, clients(target), workload, {
              count: step.concurrency,
              capMs: 5_000,
            }),
          settle: () => untilIdle([[pid]], SETTLE_MAX_MS),
          slice: (target) => closedLoop(target, clients(target), workload, perSlice),
        }),
      );
      const line = targets
        .map((t) => {
          const results = loops[t.name].flatMap((l) => l.results);
          const failed = results.filter((r) => !r.ok).length;
          return `${t.name} ${results.length - failed}/${results.length}`;
        })
        .join(", ");
      log(`${workload.name} c=${step.concurrency}: ${line}`);
    }
  }

  const sampled = await sampler.stop();
  const filesAfter = openFilesByProcess(pid);
  const fakeStats = await fake.stats();
  /** @type {unknown} */
  let latestCallRow;
  try {
    latestCallRow = (await arranged.api("/logs/mcp?limit=1"))?.data?.[0] ?? null;
  } catch (err) {
    latestCallRow = String(err);
  }
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
    return {
      workload: run.workload.name,
      concurrency: run.concurrency,
      targets: Object.fromEntries(
        targets.map((t) => {
          const windows = run.loops[t.name];
          const gateway = t.name !== "direct";
          return [
            t.name,
            summarize(windows, {
              stream: false,
              paceMs: 0,
              peakRssKb: gateway ? peakIn(samples, windows, (s) => s.kb.gatehouse ?? 0) : null,
              cpuTicks: gateway ? growthIn(samples, windows, (s) => s.cpu.gatehouse ?? 0) : null,
            }),
          ];
        }),
      ),
    };
  });

  /** @param {string} workload @param {number} c @param {string} target */
  const summary = (workload, c, target) =>
    cells.find((x) => x.workload === workload && x.concurrency === c && !x.skipped)?.targets[
      target
    ];
  /** @param {string} workload @param {number} c @param {50 | 99} p */
  const added = (workload, c, p) => {
    const g = summary(workload, c, "gatehouse")?.latency;
    const d = summary(workload, c, "direct")?.latency;
    if (!g || !d) return null;
    return p === 50 ? g.p50 - d.p50 : g.p99 - d.p99;
  };
  /** @param {string} workload @param {number} c @param {string} target */
  const rps = (workload, c, target) => {
    const s = summary(workload, c, target);
    return s ? `${s.rps.toFixed(0)} req/s` : "n/a";
  };
  const headline = WORKLOADS.map(
    (w) =>
      `- ${w.label}: added p50 at c=1 ${addedMs(added(w.name, 1, 50))} (p99 ${addedMs(added(w.name, 1, 99))}); at c=50 direct ${rps(w.name, 50, "direct")}, through Gatehouse ${rps(w.name, 50, "gatehouse")}.`,
  );
  const sections = WORKLOADS.map((w) => {
    const mine = cells.filter((c) => c.workload === w.name && !c.skipped);
    const skipped = cells.filter((c) => c.workload === w.name && c.skipped);
    const errors = errorLines(mine);
    return [
      `### ${w.label}`,
      "",
      figuresTable(mine, false),
      "",
      ...(errors.length > 0 ? ["Failures:", "", ...errors, ""] : []),
      ...(skipped.length > 0
        ? [
            `Skipped (time budget spent): ${skipped.map((c) => `c=${c.concurrency}`).join(", ")}.`,
            "",
          ]
        : []),
    ].join("\n");
  });
  console.log(`\n${headline.join("\n")}\n\n${sections.join("\n")}`);

  /** @type {Map<string, { target: string, workload: string, concurrency: number, error: string, tail: string }>} */
  const failureSamples = new Map();
  for (const run of runs) {
    for (const [target, loops] of Object.entries(run.loops)) {
      for (const r of loops.flatMap((l) => l.results)) {
        const key = `${target} ${run.workload.name} ${run.concurrency} ${r.error}`;
        if (r.ok || failureSamples.has(key)) continue;
        failureSamples.set(key, {
          target,
          workload: run.workload.name,
          concurrency: run.concurrency,
          error: r.error ?? "?",
          tail: r.tail ?? "",
        });
      }
    }
  }

  const v = versions(root);
  const sdkVersion = JSON.parse(
    readFileSync(
      join(root, "node_modules", "@modelcontextprotocol", "sdk", "package.json"),
      "utf8",
    ),
  ).version;
  const meta = {
    date: new Date().toISOString(),
    quick,
    machine: machineFacts(loadBefore),
    versions: { ...v, mcpSdk: sdkVersion },
    durationS: Math.round((Date.now() - runStart) / 1000),
    config: {
      rounds: ROUNDS,
      plan: PLAN,
      scale,
      protocolVersion: PROTOCOL_VERSION,
      tools: TOOL_COUNT,
      sessionsPerTarget: MAX_CONCURRENCY,
    },
  };
  const peak = sampled.peaks.gatehouse;
  const notes = {
    fakeUpstream: fakeStats,
    rssPeak: peak
      ? { mb: peak.kb / 1024, byProcessMb: mapValues(peak.byProcess, (kb) => kb / 1024) }
      : null,
    cpuSecondsByProcess: sampled.cpuByProcess.gatehouse ?? {},
    openFiles: { before: filesBefore, after: filesAfter },
    failureSamples: [...failureSamples.values()].slice(0, 8),
    gatewayErrorOutput: gatehouseRun.process.errors(),
    latestToolCallLogRow: latestCallRow,
  };
  const resultsFile = join(here, "mcp-results.json");
  writeResults(resultsFile, { ...meta, cells, notes });

  const m = meta.machine;
  const gatewayListCalls = cells
    .filter((c) => c.workload === "list")
    .reduce((sum, c) => sum + (c.targets.gatehouse?.n ?? 0), 0);
  const printed = notes.gatewayErrorOutput;
  const tails = notes.failureSamples.map(
    (t) =>
      `- First "${t.error}" from ${t.target}, ${t.workload} c=${t.concurrency}: \`${JSON.stringify(t.tail)}\``,
  );
  const section = `${sectionStart("mcp")}
## MCP gateway

Produced by \`npm run bench:mcp\` (\`bench/mcp.mjs\`) on ${meta.date}${quick ? " — **quick run (BENCH_QUICK=1), small samples**" : ""}; the run took ${meta.durationS} s. Raw figures: \`bench/mcp-results.json\`. \`npm run bench\` runs it as its last part and keeps this section when it rewrites the rest of this file.

- ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, Linux ${m.kernel}; load average ${m.loadBefore.join(" ")} before the run, ${m.loadAfter.join(" ")} after
- Node ${v.node}, wrangler ${v.wrangler} (workerd ${v.workerd}), @modelcontextprotocol/sdk ${sdkVersion}, client undici ${v.undici}

Method:

- A fake upstream MCP server (\`bench/fake-mcp-upstream.mjs\`, on a worker thread of the bench process): the official SDK's \`McpServer\` behind its web-standard Streamable HTTP transport bridged to node:http, stateful sessions, ${TOOL_COUNT} tools (the \`tools/list\` result, ~11 kB, made once by the SDK at start rather than on each call); it answers each request as a one-event SSE stream, as the SDK does by default.
- Targets: **direct**, MCP sessions straight to the fake; **gatehouse**, Gatehouse started as \`npm start\` does with \`GATEHOUSE_WORKER_ONLY=1\` (\`wrangler dev\`, local D1 and Durable Objects in a temp dir), the fake added as an upstream server (\`POST /api/mcp-servers\`) of a gateway (\`POST /api/mcp-gateways\`), called at \`/v1/mcp/${SLUG}\` with an OAuth access token got by the SDK's \`auth()\` (discovery, dynamic registration, PKCE) and the consent API. Token check, the per-request access query, the session Durable Object and the tool-call log are all on the measured path.
- Each target gets ${MAX_CONCURRENCY} sessions (initialize, notifications/initialized); each client of a closed loop uses its own session and sends raw JSON-RPC POSTs with undici (keep-alive), \`Accept: application/json, text/event-stream\`, \`MCP-Protocol-Version: ${PROTOCOL_VERSION}\`. Latency runs to the end of the body and the answer is checked (${TOOL_COUNT} tools; the echoed text). Every session is used once per workload before measuring.
- Each cell (workload × concurrency) runs in ${ROUNDS} rounds, targets taking turns in rotating order, each slice after an unmeasured burst of c requests and a pause until Gatehouse is idle. "+" columns are Gatehouse's percentile minus direct's. Peak RSS sums VmRSS over Gatehouse's process tree (launcher, wrangler, its two workerd), sampled every 100 ms; CPU ms/req is that tree's CPU over the same windows. Client, fake and Gatehouse share the ${m.cores} cores.

Summary:

${headline.join("\n")}

${sections.join("\n")}
Notes:

- The gateway answers \`tools/list\` from the tool list its session object keeps (fetched from the upstream on first use, fresh for 5 minutes), so through Gatehouse it does not reach the upstream: the fake saw ${fakeStats.methods["tools/list"] ?? 0} \`tools/list\` requests in all (direct's, plus the gateway's first fetches) for ${gatewayListCalls} sent through Gatehouse in the measured cells. \`tools/call\` goes to the upstream every time, and writes a row of the MCP log.
- Requests the fake received, by method: ${breakdown(fakeStats.methods)}; ${fakeStats.sessions} sessions, ${fakeStats.rejected} refused.
${notes.rssPeak ? `- Peak RSS of Gatehouse: ${notes.rssPeak.mb.toFixed(0)} MB (${breakdown(notes.rssPeak.byProcessMb)}).\n` : ""}- CPU seconds used by Gatehouse's processes during the measured part: ${breakdown(notes.cpuSecondsByProcess, 1)}.
- Open files in Gatehouse's processes before the measured part: ${breakdown(filesBefore)}; after: ${breakdown(filesAfter)}.
${[...tails].join("\n")}${tails.length > 0 ? "\n" : ""}- ${printed.count === 0 ? "Gatehouse printed no error lines." : `Gatehouse printed ${printed.count} error lines; the last different ones: ${printed.last.map((l) => `\`${l}\``).join("; ")}`}
- Newest MCP tool-call log row at the end (logging was on): \`${JSON.stringify(latestCallRow)}\`
${sectionEnd("mcp")}`;
  writeSection("mcp", section);
  log(`Wrote the MCP section of BENCHMARKS.md and bench/mcp-results.json in ${meta.durationS} s.`);
}

try {
  await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
process.exit();
