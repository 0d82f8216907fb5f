/**
 * A real OTLP/HTTP collector on loopback for tests. It takes `POST /<tenant>/v1/traces` and
 * `/<tenant>/v1/metrics` as OTLP/JSON or OTLP/protobuf, decodes protobuf with the OFFICIAL
 * generated definitions (@opentelemetry/otlp-transformer's root) and JSON with JSON.parse, and
 * keeps both in one normalised shape per tenant, with the raw bodies and headers (so tests can
 * search a payload for secrets). Tests in workerd drive it over HTTP:
 * - `POST /<tenant>/_control` `{ mode: "ok" | "status", status?, body?, delayMs? }`: answer
 *   normally, or with that status and body; `delayMs` makes it slow either way.
 * - `GET /<tenant>/_received` → `{ traces, metrics, requests }`; `DELETE` forgets them.
 * A collector that is down is a port nothing listens on, so there is no mode for it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { z } from "zod";

export type AttributeValue = string | number | boolean | string[];
export type AttributeMap = Record<string, AttributeValue>;

export interface ReceivedSpan {
  resource: AttributeMap;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: AttributeMap;
  status: { code: number; message: string };
}

export interface ReceivedDataPoint {
  attributes: AttributeMap;
  startTimeUnixNano: string;
  timeUnixNano: string;
  /** Sums and gauges. */
  value?: number;
  /** Histograms. */
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
  min?: number;
  max?: number;
}

export interface ReceivedMetric {
  resource: AttributeMap;
  scope: string;
  name: string;
  description: string;
  unit: string;
  type: "sum" | "histogram" | "gauge" | "other";
  /** 1 delta, 2 cumulative, 0 unspecified (gauges). */
  aggregationTemporality: number;
  isMonotonic: boolean;
  dataPoints: ReceivedDataPoint[];
}

export interface ReceivedRequest {
  path: string;
  contentType: string;
  headers: Record<string, string>;
  bodyBase64: string;
}

export interface Received {
  /** One entry per accepted export request. */
  traces: { spans: ReceivedSpan[] }[];
  metrics: { metrics: ReceivedMetric[] }[];
  /** Every request to the signal paths, accepted or not. */
  requests: ReceivedRequest[];
}

export const ReceiverControlSchema = z
  .object({
    mode: z.enum(["ok", "status"]),
    status: z.number().int().min(200).max(599).optional(),
    body: z.string().max(100_000).optional(),
    delayMs: z.number().int().min(0).max(120_000).optional(),
  })
  .refine((c) => c.mode !== "status" || c.status !== undefined, {
    message: "mode 'status' needs a status",
    path: ["status"],
  });
export type ReceiverControl = z.infer<typeof ReceiverControlSchema>;

export interface OtlpReceiver {
  url: string;
  /** `<url>/<tenant>`: the base an exporter appends `/v1/traces` and `/v1/metrics` to. */
  endpoint(tenant: string): string;
  received(tenant: string): Received;
  control(tenant: string, control: ReceiverControl): void;
  reset(tenant: string): void;
  close(): Promise<void>;
}

// --- Decoding -----------------------------------------------------------------------------

interface GeneratedType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
}
interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: { ExportTraceServiceRequest: GeneratedType } };
        metrics: { v1: { ExportMetricsServiceRequest: GeneratedType } };
      };
    };
  };
}

const require = createRequire(import.meta.url);
/** The official generated protobuf definitions of opentelemetry-proto. */
export const otlpRoot =
  require("@opentelemetry/otlp-transformer/build/src/generated/root") as GeneratedRoot;
const collector = otlpRoot.opentelemetry.proto.collector;
/** int64 as decimal strings, bytes as base64 (turned to hex for ids below). */
const TO_OBJECT = { longs: String, bytes: String, enums: Number, defaults: false, arrays: true };

type Plain = Record<string, unknown>;

function obj(value: unknown): Plain {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Plain)
    : {};
}
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function str(value: unknown): string {
  return typeof value === "string"
    ? value
    : value === undefined || value === null
      ? ""
      : String(value);
}
function num(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value !== "") return Number(value);
  return 0;
}

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};
const TEMPORALITIES: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};
function enumValue(value: unknown, names: Record<string, number>): number {
  return typeof value === "string" && value in names ? (names[value] ?? 0) : num(value);
}

function base64ToHex(value: unknown): string {
  return Buffer.from(str(value), "base64").toString("hex");
}

function anyValue(value: unknown): AttributeValue {
  const v = obj(value);
  if ("stringValue" in v) return str(v.stringValue);
  if ("boolValue" in v) return v.boolValue === true;
  if ("intValue" in v) return num(v.intValue);
  if ("doubleValue" in v) return num(v.doubleValue);
  if ("arrayValue" in v)
    return list(obj(v.arrayValue).values).map((item) => String(anyValue(item)));
  return "";
}

function attributeMap(value: unknown): AttributeMap {
  const out: AttributeMap = {};
  for (const kv of list(value)) {
    const { key, value: v } = obj(kv);
    out[str(key)] = anyValue(v);
  }
  return out;
}

/** Normalises an ExportTraceServiceRequest in its JSON form; `ids` turns wire ids into hex. */
function normaliseTraces(request: Plain, ids: (value: unknown) => string): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of list(request.resourceSpans)) {
    const resource = attributeMap(obj(obj(rs).resource).attributes);
    for (const ss of list(obj(rs).scopeSpans)) {
      const scope = str(obj(obj(ss).scope).name);
      for (const raw of list(obj(ss).spans)) {
        const s = obj(raw);
        const parent = s.parentSpanId ? ids(s.parentSpanId) : "";
        const status = obj(s.status);
        spans.push({
          resource,
          scope,
          traceId: ids(s.traceId),
          spanId: ids(s.spanId),
          parentSpanId: parent === "" ? null : parent,
          name: str(s.name),
          kind: enumValue(s.kind, SPAN_KINDS),
          startTimeUnixNano: str(s.startTimeUnixNano || "0"),
          endTimeUnixNano: str(s.endTimeUnixNano || "0"),
          attributes: attributeMap(s.attributes),
          status: { code: enumValue(status.code, STATUS_CODES), message: str(status.message) },
        });
      }
    }
  }
  return spans;
}

function dataPoint(raw: unknown): ReceivedDataPoint {
  const p = obj(raw);
  const point: ReceivedDataPoint = {
    attributes: attributeMap(p.attributes),
    startTimeUnixNano: str(p.startTimeUnixNano || "0"),
    timeUnixNano: str(p.timeUnixNano || "0"),
  };
  if ("asInt" in p) point.value = num(p.asInt);
  if ("asDouble" in p) point.value = num(p.asDouble);
  if ("bucketCounts" in p || "explicitBounds" in p || "count" in p) {
    point.count = num(p.count);
    point.sum = num(p.sum);
    point.bucketCounts = list(p.bucketCounts).map(num);
    point.explicitBounds = list(p.explicitBounds).map(num);
    if ("min" in p) point.min = num(p.min);
    if ("max" in p) point.max = num(p.max);
  }
  return point;
}

function normaliseMetrics(request: Plain): ReceivedMetric[] {
  const metrics: ReceivedMetric[] = [];
  for (const rm of list(request.resourceMetrics)) {
    const resource = attributeMap(obj(obj(rm).resource).attributes);
    for (const sm of list(obj(rm).scopeMetrics)) {
      const scope = str(obj(obj(sm).scope).name);
      for (const raw of list(obj(sm).metrics)) {
        const m = obj(raw);
        const type =
          "sum" in m ? "sum" : "histogram" in m ? "histogram" : "gauge" in m ? "gauge" : "other";
        const data = obj(type === "other" ? undefined : m[type]);
        metrics.push({
          resource,
          scope,
          name: str(m.name),
          description: str(m.description),
          unit: str(m.unit),
          type,
          aggregationTemporality: enumValue(data.aggregationTemporality, TEMPORALITIES),
          isMonotonic: data.isMonotonic === true,
          dataPoints: list(data.dataPoints).map(dataPoint),
        });
      }
    }
  }
  return metrics;
}

function isProtobuf(contentType: string): boolean {
  return contentType.split(";")[0]?.trim().toLowerCase() === "application/x-protobuf";
}
function isJson(contentType: string): boolean {
  return contentType.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** An export request's spans, whichever encoding it came in. */
export function decodeTraces(body: Uint8Array, contentType: string): ReceivedSpan[] {
  if (isProtobuf(contentType)) {
    const type = collector.trace.v1.ExportTraceServiceRequest;
    return normaliseTraces(type.toObject(type.decode(body), TO_OBJECT), base64ToHex);
  }
  if (isJson(contentType)) {
    return normaliseTraces(obj(JSON.parse(Buffer.from(body).toString("utf8"))), str);
  }
  throw new Error(`unsupported content-type '${contentType}'`);
}

/** An export request's metrics, whichever encoding it came in. */
export function decodeMetrics(body: Uint8Array, contentType: string): ReceivedMetric[] {
  if (isProtobuf(contentType)) {
    const type = collector.metrics.v1.ExportMetricsServiceRequest;
    return normaliseMetrics(type.toObject(type.decode(body), TO_OBJECT));
  }
  if (isJson(contentType))
    return normaliseMetrics(obj(JSON.parse(Buffer.from(body).toString("utf8"))));
  throw new Error(`unsupported content-type '${contentType}'`);
}

// --- The server ---------------------------------------------------------------------------

const TENANT_PATH = /^\/([\w.-]{1,100})\/(v1\/traces|v1\/metrics|_control|_received)$/;
const MAX_BODY_BYTES = 20 * 1024 * 1024;

interface Tenant {
  control: ReceiverControl;
  received: Received;
}

function emptyReceived(): Received {
  return { traces: [], metrics: [], requests: [] };
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function send(res: ServerResponse, status: number, body: string, contentType = "application/json") {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { "content-type": contentType }).end(body);
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const tenants = new Map<string, Tenant>();
  const tenantOf = (name: string): Tenant => {
    let tenant = tenants.get(name);
    if (!tenant) {
      tenant = { control: { mode: "ok" }, received: emptyReceived() };
      tenants.set(name, tenant);
    }
    return tenant;
  };

  async function exportRequest(
    req: IncomingMessage,
    res: ServerResponse,
    tenant: Tenant,
    signal: string,
  ) {
    const body = await readBody(req);
    if (!body) return send(res, 413, JSON.stringify({ error: "body too large" }));
    const contentType = req.headers["content-type"] ?? "";
    tenant.received.requests.push({
      path: req.url ?? "",
      contentType,
      headers: headersOf(req),
      bodyBase64: body.toString("base64"),
    });
    const { control } = tenant;
    if (control.delayMs) await new Promise((done) => setTimeout(done, control.delayMs));
    if (control.mode === "status") {
      return send(res, control.status ?? 500, control.body ?? "", "text/plain");
    }
    if (!isJson(contentType) && !isProtobuf(contentType)) {
      return send(res, 415, JSON.stringify({ error: `unsupported content-type '${contentType}'` }));
    }
    try {
      if (signal === "v1/traces")
        tenant.received.traces.push({ spans: decodeTraces(body, contentType) });
      else tenant.received.metrics.push({ metrics: decodeMetrics(body, contentType) });
    } catch (err) {
      return send(
        res,
        400,
        JSON.stringify({ error: `undecodable export request: ${String(err)}` }),
      );
    }
    // An empty Export*ServiceResponse: full success in either encoding.
    if (isProtobuf(contentType)) return send(res, 200, "", "application/x-protobuf");
    return send(res, 200, "{}");
  }

  async function controlRequest(req: IncomingMessage, res: ServerResponse, tenant: Tenant) {
    const body = await readBody(req);
    let json: unknown;
    try {
      json = JSON.parse(body?.toString("utf8") ?? "");
    } catch {
      return send(res, 400, JSON.stringify({ error: "body: not JSON" }));
    }
    const parsed = ReceiverControlSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return send(
        res,
        400,
        JSON.stringify({ error: `${issue?.path.join(".") || "body"}: ${issue?.message}` }),
      );
    }
    tenant.control = parsed.data;
    return send(res, 204, "");
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = TENANT_PATH.exec(req.url ?? "");
    const [, name, path] = match ?? [];
    if (!name || !path) return send(res, 404, JSON.stringify({ error: "not found" }));
    const tenant = tenantOf(name);
    switch (`${req.method} ${path}`) {
      case "POST v1/traces":
      case "POST v1/metrics":
        return exportRequest(req, res, tenant, path);
      case "POST _control":
        return controlRequest(req, res, tenant);
      case "GET _received":
        return send(res, 200, JSON.stringify(tenant.received));
      case "DELETE _received":
        tenant.received = emptyReceived();
        return send(res, 204, "");
      default:
        return send(res, 405, JSON.stringify({ error: "method not allowed" }));
    }
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => send(res, 500, JSON.stringify({ error: String(err) })));
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    endpoint: (tenant) => `${url}/${tenant}`,
    received: (tenant) => tenantOf(tenant).received,
    control: (tenant, control) => {
      tenantOf(tenant).control = ReceiverControlSchema.parse(control);
    },
    reset: (tenant) => {
      tenants.delete(tenant);
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
