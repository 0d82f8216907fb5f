// A fake Anthropic Messages API for the benchmark: just enough of `POST /v1/messages` to look
// real to Gatehouse, Portkey and a plain client, while costing as little CPU as possible, so
// the figures measure the gateways and not the fake.
//
// Non-streaming: one short JSON message with usage. Streaming: message_start, ping,
// content_block_start, then `deltas` content_block_delta events one per `paceMs`, then
// content_block_stop, message_delta (usage) and message_stop, each its own write.
//
// It can run on the caller's thread (startFakeUpstream) or on a worker thread
// (startFakeUpstreamThread), which keeps its pacing independent of the client's own work.
// `node bench/fake-upstream.mjs [port]` runs it alone, for poking at it with curl.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

export const PROVIDER_KEY = "sk-ant-api03-bench-fake-provider-key-0123456789";
export const DEFAULT_PACE_MS = 2;
export const DEFAULT_DELTAS = 200;
const INPUT_TOKENS = 12;
const MAX_BODY_BYTES = 1 << 20;

/**
 * @typedef {object} FakeOptions
 * @property {number} [port] 0 (default) picks a free one.
 * @property {number} [paceMs] Time between two content_block_delta events of a stream.
 * @property {number} [deltas] How many content_block_delta events a stream has.
 *
 * @typedef {object} FakeStats
 * @property {number} json Non-streamed replies sent.
 * @property {number} streams Streams finished.
 * @property {number} aborted Streams the client (or gateway) left before the end.
 * @property {number} rejected Requests refused (bad key, path or body).
 * @property {number} open Streams being sent now.
 * @property {number} peakOpen The most streams sent at once so far.
 *
 * @typedef {object} FakeUpstream
 * @property {string} url `http://127.0.0.1:<port>`, no trailing slash.
 * @property {number} paceMs
 * @property {number} deltas
 * @property {() => Promise<FakeStats>} stats
 * @property {() => Promise<void>} close
 */

/** Every stream gets the same delta event, so it is encoded once. */
const DELTA = Buffer.from(
  sse("content_block_delta", {
    type: "content_block_delta",
    index: 0,
    delta: { type: "text_delta", text: "word " },
  }),
);
const PING = Buffer.from(sse("ping", { type: "ping" }));
const BLOCK_START = Buffer.from(
  sse("content_block_start", {
    type: "content_block_start",
    index: 0,
    content_block: { type: "text", text: "" },
  }),
);
const BLOCK_STOP = Buffer.from(sse("content_block_stop", { type: "content_block_stop", index: 0 }));
const MESSAGE_STOP = Buffer.from(sse("message_stop", { type: "message_stop" }));

/** @param {string} event @param {unknown} data */
function sse(event, data) {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function messageId() {
  return `msg_bench${randomBytes(9).toString("base64url")}`;
}

/** @param {number} outputTokens */
function usage(outputTokens) {
  return {
    input_tokens: INPUT_TOKENS,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
  };
}

/** @param {import("node:http").IncomingHttpHeaders} headers */
function keyOk(headers) {
  if (headers["x-api-key"] === PROVIDER_KEY) return true;
  return headers.authorization === `Bearer ${PROVIDER_KEY}`;
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {string} type
 * @param {string} message
 */
function sendError(res, status, type, message) {
  const body = JSON.stringify({ type: "error", error: { type, message } });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Starts the fake on this thread.
 * @param {FakeOptions} [options]
 * @returns {Promise<FakeUpstream>}
 */
export async function startFakeUpstream(options = {}) {
  const paceMs = options.paceMs ?? DEFAULT_PACE_MS;
  const deltas = options.deltas ?? DEFAULT_DELTAS;
  /** @type {FakeStats} */
  const stats = { json: 0, streams: 0, aborted: 0, rejected: 0, open: 0, peakOpen: 0 };

  /**
   * Streams waiting for their next delta. One shared ticker serves them all: one timer for
   * the whole server instead of one per stream keeps the fake cheap at 200 open streams.
   * @type {Set<{ res: import("node:http").ServerResponse, left: number }>}
   */
  const active = new Set();
  /** @type {NodeJS.Timeout | undefined} */
  let ticker;
  const tick = () => {
    for (const stream of active) {
      stream.res.write(DELTA);
      stream.left -= 1;
      if (stream.left === 0) {
        active.delete(stream);
        finishStream(stream.res);
      }
    }
    if (active.size === 0) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };

  /** @param {import("node:http").ServerResponse} res */
  const finishStream = (res) => {
    res.write(BLOCK_STOP);
    res.write(
      sse("message_delta", {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: deltas },
      }),
    );
    res.end(MESSAGE_STOP);
    stats.streams += 1;
  };

  /** @param {import("node:http").ServerResponse} res @param {string} model */
  const startStream = (res, model) => {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "request-id": `req_bench${randomBytes(6).toString("hex")}`,
    });
    res.write(
      sse("message_start", {
        type: "message_start",
        message: {
          id: messageId(),
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: usage(1),
        },
      }),
    );
    res.write(PING);
    res.write(BLOCK_START);
    if (deltas === 0) {
      finishStream(res);
      return;
    }
    const stream = { res, left: deltas };
    active.add(stream);
    stats.peakOpen = Math.max(stats.peakOpen, active.size);
    res.on("close", () => {
      if (active.delete(stream)) stats.aborted += 1;
    });
    ticker ??= setInterval(tick, paceMs);
  };

  /** @param {import("node:http").ServerResponse} res @param {string} model */
  const sendJson = (res, model) => {
    const body = JSON.stringify({
      id: messageId(),
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text: "Hi" }],
      stop_reason: "max_tokens",
      stop_sequence: null,
      usage: usage(1),
    });
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "request-id": `req_bench${randomBytes(6).toString("hex")}`,
    });
    res.end(body);
    stats.json += 1;
  };

  const server = createServer((req, res) => {
    const path = req.url?.split("?")[0];
    if (req.method === "GET" && path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain", "content-length": 2 });
      res.end("ok");
      return;
    }
    if (req.method !== "POST" || path !== "/v1/messages") {
      stats.rejected += 1;
      req.resume();
      sendError(res, 404, "not_found_error", `No route for ${req.method} ${path}`);
      return;
    }
    if (!keyOk(req.headers)) {
      stats.rejected += 1;
      req.resume();
      sendError(res, 401, "authentication_error", "invalid x-api-key");
      return;
    }
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      /** @type {{ model?: unknown, stream?: unknown }} */
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        stats.rejected += 1;
        sendError(res, 400, "invalid_request_error", "The body is not JSON.");
        return;
      }
      const model = typeof body.model === "string" ? body.model : "claude-haiku-4-5-20251001";
      if (body.stream === true) startStream(res, model);
      else sendJson(res, model);
    });
  });
  // Streamed events must leave as they are written, not coalesced by Nagle's algorithm.
  server.on("connection", (socket) => socket.setNoDelay(true));
  // Longer than the clients' idle timeouts, so keep-alive connections are not cut mid-run.
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve(undefined));
  });
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${address.port}`,
    paceMs,
    deltas,
    stats: async () => ({ ...stats, open: active.size }),
    close: () =>
      new Promise((resolve) => {
        clearInterval(ticker);
        for (const stream of active) stream.res.destroy();
        active.clear();
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/**
 * Starts the fake on a worker thread of this process: its ticker then keeps its pace however
 * busy the benchmark client's event loop gets.
 * @param {FakeOptions} [options]
 * @returns {Promise<FakeUpstream>}
 */
export async function startFakeUpstreamThread(options = {}) {
  const worker = new Worker(fileURLToPath(import.meta.url), {
    workerData: { benchFakeUpstream: options },
  });
  /** @type {Map<number, (value: any) => void>} */
  const pending = new Map();
  let nextId = 0;
  /** @param {string} op */
  const call = (op) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      worker.postMessage({ id, op });
    });
  const ready = await new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", resolve);
  });
  worker.on("message", (message) => {
    pending.get(message.id)?.(message.value);
    pending.delete(message.id);
  });
  return {
    url: ready.url,
    paceMs: ready.paceMs,
    deltas: ready.deltas,
    stats: () => call("stats"),
    close: async () => {
      await call("close");
      await worker.terminate();
    },
  };
}

if (!isMainThread && workerData?.benchFakeUpstream && parentPort) {
  const port = parentPort;
  const fake = await startFakeUpstream(workerData.benchFakeUpstream);
  port.postMessage({ url: fake.url, paceMs: fake.paceMs, deltas: fake.deltas });
  port.on("message", async ({ id, op }) => {
    const value = op === "stats" ? await fake.stats() : await fake.close();
    port.postMessage({ id, value });
  });
} else if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) {
  const fake = await startFakeUpstream({ port: Number(process.argv[2] ?? 0) });
  console.log(`Fake Anthropic on ${fake.url} (key ${PROVIDER_KEY})`);
}
