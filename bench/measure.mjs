// One timed request, and a closed loop of them at a fixed concurrency. Every loop is bounded
// twice: by a request count and by a wall-clock cap, and every request by its own timeout.
import { Agent, request } from "undici";
import { percentile } from "./stats.mjs";

const NEWLINE = 0x0a;

/**
 * @typedef {object} Workload
 * @property {string} name "json" or "stream".
 * @property {string} label For tables.
 * @property {boolean} stream
 * @property {string} body The request body, the same for every target.
 * @property {number} expectedEvents SSE events a complete stream has (0 when not streaming).
 *
 * @typedef {object} RequestResult
 * @property {boolean} ok 200 and a complete, well-formed body.
 * @property {number} status 0 when no response arrived.
 * @property {string} [error] Short kind of failure, for counting.
 * @property {number} totalMs Request start to the end of the body.
 * @property {number} ttfbMs Request start to the first chunk of the body.
 * @property {number} maxGapMs Streams: the largest time between two consecutive events as
 *   received (events arriving in one chunk are 0 apart). 0 when not streaming.
 * @property {number} events SSE events received.
 * @property {string} [tail] Failures: the start of an error body, or the end of a cut
 *   stream, for diagnosis.
 *
 * @typedef {object} LoopResult
 * @property {RequestResult[]} results
 * @property {number} startedAt Epoch ms.
 * @property {number} endedAt Epoch ms.
 * @property {number} wallMs
 */

/** @param {number} outputTokens @param {boolean} stream */
function messageBody(outputTokens, stream) {
  return JSON.stringify({
    model: "claude-haiku-4-5-20251001",
    max_tokens: outputTokens,
    stream,
    messages: [{ role: "user", content: "Say hi" }],
  });
}

/** @param {number} deltas Streamed content_block_delta events the fake sends. */
export function workloads(deltas) {
  /** @type {Workload[]} */
  const list = [
    {
      name: "json",
      label: "Non-streaming, one-token completion",
      stream: false,
      body: messageBody(1, false),
      expectedEvents: 0,
    },
    {
      name: "stream",
      label: `Streaming, ${deltas} delta events`,
      stream: true,
      body: messageBody(deltas + 16, true),
      // message_start, ping, content_block_start, the deltas, content_block_stop,
      // message_delta, message_stop.
      expectedEvents: deltas + 6,
    },
  ];
  return list;
}

/** Epoch milliseconds with sub-millisecond precision, comparable across threads. */
export function now() {
  return performance.timeOrigin + performance.now();
}

/**
 * Counts the blank lines that end SSE events in a chunk, the first possibly completing a
 * "\n" left at the end of the previous chunk.
 * @param {Buffer} chunk
 * @param {boolean} endedWithNewline
 */
function eventEnds(chunk, endedWithNewline) {
  let count = 0;
  for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) {
    if (i > 0 ? chunk[i - 1] === NEWLINE : endedWithNewline) count += 1;
  }
  return count;
}

/**
 * The client for every target: undici's own request API, a few times cheaper per request than
 * fetch (no WHATWG streams), so the client takes less of the CPU the gateways need. Idle
 * connections are kept as long as each server allows.
 */
const dispatcher = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });

/**
 * Sends one request and times it as the client sees it.
 * @param {import("./targets.mjs").Target} target
 * @param {Workload} workload
 * @param {number} timeoutMs
 * @returns {Promise<RequestResult>}
 */
export async function timedRequest(target, workload, timeoutMs) {
  const start = performance.now();
  /** @type {RequestResult} */
  const result = { ok: false, status: 0, totalMs: 0, ttfbMs: 0, maxGapMs: 0, events: 0 };
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  try {
    const res = await request(target.url, {
      method: "POST",
      headers: target.headers,
      body: workload.body,
      dispatcher,
      signal: abort.signal,
    });
    result.status = res.statusCode;
    const streamed = workload.stream && res.statusCode === 200;
    /** @type {Buffer[]} */
    const kept = [];
    let lastEventAt = -1;
    let endedWithNewline = false;
    /** @type {Buffer | undefined} */
    let lastChunk;
    for await (const chunk of res.body) {
      const at = performance.now();
      if (result.ttfbMs === 0) result.ttfbMs = at - start;
      if (streamed) {
        lastChunk = chunk;
        const ended = eventEnds(chunk, endedWithNewline);
        endedWithNewline = chunk.length > 0 && chunk[chunk.length - 1] === NEWLINE;
        if (ended > 0) {
          if (lastEventAt >= 0) result.maxGapMs = Math.max(result.maxGapMs, at - lastEventAt);
          lastEventAt = at;
          result.events += ended;
        }
      } else {
        kept.push(chunk);
      }
    }
    result.totalMs = performance.now() - start;
    const text = Buffer.concat(kept).toString("utf8");
    if (res.statusCode !== 200) {
      result.error = `HTTP ${res.statusCode} ${errorType(text)}`;
      result.tail = text.slice(0, 300);
    } else if (workload.stream) {
      if (result.events !== workload.expectedEvents) {
        result.error = `stream had ${result.events}/${workload.expectedEvents} events`;
        result.tail = lastChunk?.toString("utf8").slice(-300) ?? "";
      }
    } else if (errorType(text) !== "message") {
      result.error = "body is not a message";
    }
    result.ok = result.error === undefined;
  } catch (err) {
    result.totalMs = performance.now() - start;
    const e = /** @type {Error & { code?: string }} */ (err);
    result.error = timedOut ? "timeout" : (e.code ?? e.name ?? "error");
  } finally {
    clearTimeout(timer);
  }
  return result;
}

/** The `type` (or `error.type`) of a JSON body, for short error labels. @param {string} text */
function errorType(text) {
  try {
    const body = JSON.parse(text);
    return body?.error?.type ?? body?.type ?? "?";
  } catch {
    return "non-JSON body";
  }
}

/**
 * `concurrency` clients, each sending its next request as soon as the last one ended, until
 * `count` requests were started or `capMs` passed (requests in flight then still finish).
 * @param {import("./targets.mjs").Target} target
 * @param {Workload} workload
 * @param {{ concurrency: number, count: number, capMs: number, timeoutMs: number }} plan
 * @returns {Promise<LoopResult>}
 */
export async function closedLoop(target, workload, plan) {
  /** @type {RequestResult[]} */
  const results = [];
  const startedAt = now();
  const stopAt = performance.now() + plan.capMs;
  let started = 0;
  const client = async () => {
    while (started < plan.count && performance.now() < stopAt) {
      started += 1;
      results.push(await timedRequest(target, workload, plan.timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, client));
  const endedAt = now();
  return { results, startedAt, endedAt, wallMs: endedAt - startedAt };
}

/**
 * p50 and p99 of `count` sequential GETs of a trivial route: what the server's HTTP stack
 * costs before any gateway logic.
 * @param {string} url
 * @param {number} count
 */
export async function floor(url, count) {
  /** @type {number[]} */
  const times = [];
  const stopAt = performance.now() + 10_000;
  for (let i = 0; i < count && performance.now() < stopAt; i++) {
    const start = performance.now();
    try {
      const res = await request(url, { dispatcher, signal: AbortSignal.timeout(5_000) });
      await res.body.dump();
      if (res.statusCode === 200) times.push(performance.now() - start);
    } catch {
      // counted by its absence
    }
  }
  times.sort((a, b) => a - b);
  return { ok: times.length, p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** `list` rotated left by `by`: each round starts with another target. @template T @param {T[]} list @param {number} by */
export function rotate(list, by) {
  return list.map((_, i) => list[(i + by) % list.length]);
}

/**
 * A cell's share per slice: its request count (scaled, at least one) and its wall-clock cap,
 * split evenly over the rounds.
 * @param {{ count: number, capMs: number }} step
 * @param {number} rounds
 * @param {number} scale
 */
export function sliceOf(step, rounds, scale) {
  return {
    count: Math.max(1, Math.ceil((step.count * scale) / rounds)),
    capMs: step.capMs / rounds,
  };
}

/**
 * One cell run in interleaved rounds: in each round every target, in an order that rotates,
 * gets an unmeasured `warm` (opening, and keeping alive, the connections its slice uses, so no
 * slice pays for connection setup the one before it did not), a wait for the servers to go
 * idle (`settle`), then its measured `slice`. Targets `skip` says no to sit the round out.
 * @template {{ name: string }} T
 * @param {T[]} targets
 * @param {number} rounds
 * @param {{ warm: (target: T) => Promise<unknown>, settle: () => Promise<void>, slice: (target: T) => Promise<LoopResult>, skip?: (target: T) => boolean }} steps
 * @returns {Promise<Record<string, LoopResult[]>>}
 */
export async function interleavedRounds(targets, rounds, steps) {
  /** @type {Record<string, LoopResult[]>} */
  const loops = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of rotate(targets, round)) {
      if (steps.skip?.(target)) continue;
      await steps.warm(target);
      await steps.settle();
      loops[target.name].push(await steps.slice(target));
    }
  }
  return loops;
}

/**
 * Unmeasured: `concurrency` requests at once, which open (and keep alive) as many connections.
 * @param {import("./targets.mjs").Target} target
 * @param {Workload} workload
 * @param {number} concurrency
 */
export function openConnections(target, workload, concurrency) {
  return closedLoop(target, workload, {
    concurrency,
    count: concurrency,
    capMs: 5_000,
    timeoutMs: 5_000,
  });
}
