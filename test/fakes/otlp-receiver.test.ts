// The fake OTLP collector: it decodes what the official opentelemetry-proto definitions encode
// (protobuf) and the same request as OTLP/JSON into one normalised shape, keeps tenants apart,
// and honours its control modes (answer with a status, answer slowly).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OtlpReceiver, otlpRoot, startOtlpReceiver } from "./otlp-receiver";

interface Encodable {
  fromObject(object: Record<string, unknown>): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}
const collector = otlpRoot.opentelemetry.proto.collector as unknown as {
  trace: { v1: { ExportTraceServiceRequest: Encodable } };
  metrics: { v1: { ExportMetricsServiceRequest: Encodable } };
};

const TRACE_ID = "5b8efff798038103d269b633813fc60c";
const SPAN_ID = "eee19b7ec3c1b174";
const PARENT_ID = "eee19b7ec3c1b173";
const hexToBase64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

/** One span with one attribute of each kind, in the proto's JSON form (ids as given). */
function traceRequest(ids: (hex: string) => string) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
        scopeSpans: [
          {
            scope: { name: "scope-a", version: "1" },
            spans: [
              {
                traceId: ids(TRACE_ID),
                spanId: ids(SPAN_ID),
                parentSpanId: ids(PARENT_ID),
                name: "chat m",
                kind: 3,
                startTimeUnixNano: "1700000000123000000",
                endTimeUnixNano: "1700000000456000001",
                attributes: [
                  { key: "s", value: { stringValue: "text" } },
                  { key: "i", value: { intValue: "42" } },
                  { key: "d", value: { doubleValue: 0.25 } },
                  { key: "b", value: { boolValue: true } },
                  {
                    key: "a",
                    value: { arrayValue: { values: [{ stringValue: "x" }, { stringValue: "y" }] } },
                  },
                ],
                status: { code: 2, message: "boom" },
              },
            ],
          },
        ],
      },
    ],
  };
}

const metricsRequest = {
  resourceMetrics: [
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
      scopeMetrics: [
        {
          scope: { name: "scope-a" },
          metrics: [
            {
              name: "h",
              unit: "s",
              histogram: {
                aggregationTemporality: 1,
                dataPoints: [
                  {
                    attributes: [{ key: "k", value: { stringValue: "v" } }],
                    startTimeUnixNano: "1700000000000000000",
                    timeUnixNano: "1700000001000000000",
                    count: "3",
                    sum: 1.5,
                    bucketCounts: ["1", "2", "0"],
                    explicitBounds: [0.1, 1],
                    min: 0.05,
                    max: 0.9,
                  },
                ],
              },
            },
            {
              name: "c",
              unit: "{request}",
              sum: {
                aggregationTemporality: 1,
                isMonotonic: true,
                dataPoints: [
                  {
                    startTimeUnixNano: "1700000000000000000",
                    timeUnixNano: "1700000001000000000",
                    asInt: "7",
                  },
                ],
              },
            },
          ],
        },
      ],
    },
  ],
};

const expectedSpan = {
  resource: { "service.name": "svc" },
  scope: "scope-a",
  traceId: TRACE_ID,
  spanId: SPAN_ID,
  parentSpanId: PARENT_ID,
  name: "chat m",
  kind: 3,
  startTimeUnixNano: "1700000000123000000",
  endTimeUnixNano: "1700000000456000001",
  attributes: { s: "text", i: 42, d: 0.25, b: true, a: ["x", "y"] },
  status: { code: 2, message: "boom" },
};

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());

function post(path: string, contentType: string, body: Uint8Array | string) {
  return fetch(`${receiver.url}${path}`, {
    method: "POST",
    headers: { "content-type": contentType, authorization: "Bearer collector-token" },
    body,
  });
}

function protobufTraces(): Uint8Array {
  const type = collector.trace.v1.ExportTraceServiceRequest;
  return type.encode(type.fromObject(traceRequest(hexToBase64))).finish();
}

describe("OTLP receiver fake", () => {
  it("decodes a protobuf export encoded by the official definitions", async () => {
    const res = await post("/proto/v1/traces", "application/x-protobuf", protobufTraces());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    const received = receiver.received("proto");
    expect(received.traces).toEqual([{ spans: [expectedSpan] }]);
    expect(received.requests[0]?.headers.authorization).toBe("Bearer collector-token");
    expect(received.requests[0]?.contentType).toBe("application/x-protobuf");
  });

  it("decodes the same request as OTLP/JSON to the same shape", async () => {
    const json = JSON.stringify(traceRequest((hex) => hex));
    const res = await post("/json/v1/traces", "application/json", json);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(receiver.received("json").traces).toEqual([{ spans: [expectedSpan] }]);
    expect(
      Buffer.from(receiver.received("json").requests[0]?.bodyBase64 ?? "", "base64").toString(),
    ).toBe(json);
  });

  it("decodes metrics in both encodings alike", async () => {
    const type = collector.metrics.v1.ExportMetricsServiceRequest;
    const proto = type.encode(type.fromObject(metricsRequest)).finish();
    expect((await post("/m/v1/metrics", "application/x-protobuf", proto)).status).toBe(200);
    const json = JSON.stringify(metricsRequest);
    expect((await post("/m/v1/metrics", "application/json", json)).status).toBe(200);
    const [fromProto, fromJson] = receiver.received("m").metrics;
    expect(fromProto).toEqual(fromJson);
    expect(fromProto?.metrics).toEqual([
      {
        resource: { "service.name": "svc" },
        scope: "scope-a",
        name: "h",
        description: "",
        unit: "s",
        type: "histogram",
        aggregationTemporality: 1,
        isMonotonic: false,
        dataPoints: [
          {
            attributes: { k: "v" },
            startTimeUnixNano: "1700000000000000000",
            timeUnixNano: "1700000001000000000",
            count: 3,
            sum: 1.5,
            bucketCounts: [1, 2, 0],
            explicitBounds: [0.1, 1],
            min: 0.05,
            max: 0.9,
          },
        ],
      },
      {
        resource: { "service.name": "svc" },
        scope: "scope-a",
        name: "c",
        description: "",
        unit: "{request}",
        type: "sum",
        aggregationTemporality: 1,
        isMonotonic: true,
        dataPoints: [
          {
            attributes: {},
            startTimeUnixNano: "1700000000000000000",
            timeUnixNano: "1700000001000000000",
            value: 7,
          },
        ],
      },
    ]);
  });

  it("keeps tenants apart and forgets a tenant's exports on DELETE", async () => {
    await post("/tenant-a/v1/traces", "application/x-protobuf", protobufTraces());
    expect(receiver.received("tenant-a").traces).toHaveLength(1);
    const other = await fetch(`${receiver.url}/tenant-b/_received`);
    expect(await other.json()).toEqual({ traces: [], metrics: [], requests: [] });

    const over = await fetch(`${receiver.url}/tenant-a/_received`);
    const body = (await over.json()) as { traces: unknown[]; requests: unknown[] };
    expect(body.traces).toHaveLength(1);
    expect(body.requests).toHaveLength(1);

    const cleared = await fetch(`${receiver.url}/tenant-a/_received`, { method: "DELETE" });
    expect(cleared.status).toBe(204);
    expect(receiver.received("tenant-a")).toEqual({ traces: [], metrics: [], requests: [] });
  });

  it("answers with the status and body it is told to, keeping the request but not its data", async () => {
    const control = await fetch(`${receiver.url}/failing/_control`, {
      method: "POST",
      body: JSON.stringify({ mode: "status", status: 503, body: "overloaded" }),
    });
    expect(control.status).toBe(204);
    const res = await post("/failing/v1/traces", "application/x-protobuf", protobufTraces());
    expect(res.status).toBe(503);
    expect(await res.text()).toBe("overloaded");
    expect(receiver.received("failing").requests).toHaveLength(1);
    expect(receiver.received("failing").traces).toHaveLength(0);
    // Other tenants still answer normally.
    const ok = await post("/healthy/v1/traces", "application/x-protobuf", protobufTraces());
    expect(ok.status).toBe(200);

    await fetch(`${receiver.url}/failing/_control`, {
      method: "POST",
      body: JSON.stringify({ mode: "ok" }),
    });
    const back = await post("/failing/v1/traces", "application/x-protobuf", protobufTraces());
    expect(back.status).toBe(200);
    expect(receiver.received("failing").traces).toHaveLength(1);
  });

  it("answers late when told to be slow", async () => {
    await fetch(`${receiver.url}/slow/_control`, {
      method: "POST",
      body: JSON.stringify({ mode: "ok", delayMs: 300 }),
    });
    const started = performance.now();
    const res = await post("/slow/v1/traces", "application/x-protobuf", protobufTraces());
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("refuses a bad control body naming the field, and unknown encodings", async () => {
    const bad = await fetch(`${receiver.url}/t/_control`, {
      method: "POST",
      body: JSON.stringify({ mode: "status" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("status");
    const text = await post("/t/v1/traces", "text/plain", "hello");
    expect(text.status).toBe(415);
    const garbage = await post(
      "/t/v1/traces",
      "application/x-protobuf",
      new Uint8Array([0xff, 0xff, 0xff]),
    );
    expect(garbage.status).toBe(400);
    expect(receiver.received("t").traces).toHaveLength(0);
  });
});
