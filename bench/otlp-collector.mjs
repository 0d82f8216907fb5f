// A stand-in OTLP/HTTP collector for `npm run bench:export`, on a worker thread of the bench
// process (as the fake upstream is), so that however busy the client's event loop gets, exports
// are read and answered at once. It reads each POST to /v1/traces or /v1/metrics to its end,
// answers 200 (an empty OTLP success, in the request's encoding) and counts requests and bytes.
// The bodies are kept and decoded only when asked for their spans and data points (protobuf
// with the official opentelemetry-proto definitions of @opentelemetry/otlp-transformer, JSON
// with JSON.parse), so decoding costs nothing while the benchmark measures.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

/** Bodies kept for decoding, at most; later ones are counted, not decoded. */
const MAX_KEPT_BYTES = 256 * 1024 * 1024;

/**
 * @typedef {object} SignalCounts
 * @property {number} requests
 * @property {number} bytes
 *
 * @typedef {object} CollectorCounts What arrived, counted as it arrived.
 * @property {SignalCounts} traces
 * @property {SignalCounts} metrics
 * @property {number} other Requests to any other path or method (answered 404).
 * @property {Record<string, number>} contentTypes Requests by content type.
 *
 * @typedef {object} CollectorStats The counts, and what the bodies held.
 * @property {SignalCounts} traces
 * @property {SignalCounts} metrics
 * @property {number} other
 * @property {Record<string, number>} contentTypes
 * @property {number} spans
 * @property {Record<string, number>} spanNames Spans by name.
 * @property {number} dataPoints
 * @property {Record<string, number>} metricNames Data points by metric name.
 * @property {number} undecoded Bodies not decoded (past the size kept, or not OTLP).
 *
 * @typedef {object} Collector
 * @property {string} url The base URL an exporter appends /v1/traces and /v1/metrics to.
 * @property {() => Promise<CollectorCounts>} counts Cheap: no decoding.
 * @property {() => Promise<CollectorStats>} stats Decodes the bodies not decoded yet.
 * @property {() => Promise<void>} close
 */

/** The official generated definitions (protobufjs), loaded on first use. */
function otlpTypes() {
  const require = createRequire(import.meta.url);
  const root = require("@opentelemetry/otlp-transformer/build/src/generated/root");
  const collector = root.opentelemetry.proto.collector;
  return {
    traces: collector.trace.v1.ExportTraceServiceRequest,
    metrics: collector.metrics.v1.ExportMetricsServiceRequest,
  };
}

/** @param {unknown} value @returns {any[]} */
const list = (value) => (Array.isArray(value) ? value : []);

/** @param {Record<string, number>} record @param {string} key @param {number} by */
function add(record, key, by) {
  record[key] = (record[key] ?? 0) + by;
}

/**
 * Serves the collector on a free loopback port (in the calling thread).
 * @returns {Promise<Omit<Collector, "url"> & { port: number }>}
 */
async function serve() {
  /** @type {CollectorCounts} */
  const counts = {
    traces: { requests: 0, bytes: 0 },
    metrics: { requests: 0, bytes: 0 },
    other: 0,
    contentTypes: {},
  };
  /** @type {{ signal: "traces" | "metrics", json: boolean, body: Buffer }[]} */
  const pending = [];
  let keptBytes = 0;
  const decoded = {
    spans: 0,
    /** @type {Record<string, number>} */
    spanNames: {},
    dataPoints: 0,
    /** @type {Record<string, number>} */
    metricNames: {},
    undecoded: 0,
  };
  /** @type {ReturnType<typeof otlpTypes> | undefined} */
  let types;

  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    const signal =
      req.method === "POST" && path === "/v1/traces"
        ? "traces"
        : req.method === "POST" && path === "/v1/metrics"
          ? "metrics"
          : null;
    /** @type {Buffer[]} */
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      if (!signal) {
        counts.other += 1;
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      const contentType = (req.headers["content-type"] ?? "").split(";")[0].trim();
      const json = contentType === "application/json";
      counts[signal].requests += 1;
      counts[signal].bytes += body.length;
      add(counts.contentTypes, contentType || "(none)", 1);
      if (keptBytes + body.length <= MAX_KEPT_BYTES) {
        keptBytes += body.length;
        pending.push({ signal, json, body });
      } else {
        decoded.undecoded += 1;
      }
      // An empty Export*ServiceResponse: full success.
      if (json) res.writeHead(200, { "content-type": "application/json" }).end("{}");
      else res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  /** Decodes what arrived since the last call. */
  const decodePending = () => {
    for (const { signal, json, body } of pending.splice(0)) {
      keptBytes -= body.length;
      /** @type {any} */
      let request;
      try {
        if (json) {
          request = JSON.parse(body.toString("utf8"));
        } else {
          types ??= otlpTypes();
          const type = types[signal];
          request = type.toObject(type.decode(body), { arrays: true, defaults: false });
        }
      } catch {
        decoded.undecoded += 1;
        continue;
      }
      if (signal === "traces") {
        for (const rs of list(request.resourceSpans)) {
          for (const ss of list(rs.scopeSpans)) {
            for (const span of list(ss.spans)) {
              decoded.spans += 1;
              add(decoded.spanNames, String(span.name ?? ""), 1);
            }
          }
        }
      } else {
        for (const rm of list(request.resourceMetrics)) {
          for (const sm of list(rm.scopeMetrics)) {
            for (const metric of list(sm.metrics)) {
              const data =
                metric.sum ??
                metric.gauge ??
                metric.histogram ??
                metric.exponentialHistogram ??
                metric.summary;
              const points = list(data?.dataPoints).length;
              decoded.dataPoints += points;
              add(decoded.metricNames, String(metric.name ?? ""), points);
            }
          }
        }
      }
    }
  };

  return {
    port,
    counts: async () => structuredClone(counts),
    stats: async () => {
      decodePending();
      return structuredClone({ ...counts, ...decoded });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/**
 * Starts the collector on a worker thread of this process.
 * @returns {Promise<Collector>}
 */
export async function startCollectorThread() {
  const worker = new Worker(fileURLToPath(import.meta.url), {
    workerData: { benchOtlpCollector: true },
  });
  /** @type {Map<number, (value: any) => void>} */
  const waiting = new Map();
  let nextId = 0;
  /** @param {"counts" | "stats" | "close"} op */
  const call = (op) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      worker.postMessage({ id, op });
    });
  /** @type {{ port: number }} */
  const ready = await new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", resolve);
  });
  worker.on("message", (message) => {
    waiting.get(message.id)?.(message.value);
    waiting.delete(message.id);
  });
  return {
    url: `http://127.0.0.1:${ready.port}`,
    counts: () => call("counts"),
    stats: () => call("stats"),
    close: async () => {
      await call("close");
      await worker.terminate();
    },
  };
}

if (!isMainThread && workerData?.benchOtlpCollector && parentPort) {
  const port = parentPort;
  const collector = await serve();
  port.postMessage({ port: collector.port });
  port.on("message", async ({ id, op }) => {
    const value =
      op === "counts"
        ? await collector.counts()
        : op === "stats"
          ? await collector.stats()
          : await collector.close();
    port.postMessage({ id, value });
  });
}
