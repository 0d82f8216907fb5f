// /api/telemetry/exporter: each bad input is a 400 naming its field; the headers are sealed in
// D1 and never come back (not in any answer, not in the audit log); only telemetry:update may
// change or test the exporter; and "send a test span" reports what the real OTLP receiver on
// loopback answered, or that nothing answered.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type {
  ExporterTestResult,
  TelemetryExporterAnswer,
  TelemetryExporterView,
} from "../../shared/api-types";
import { expectApiError, expectFieldError } from "./api-helpers";
import { type Admin, admin, createUser } from "./helpers";
import { answerWith, collector, received } from "./otlp-collector";

const SECRET = "otlp-secret-value-7f3a9c2e";
const OTHER_SECRET = "second-otlp-secret-41d8b6";
const CLOSED_PORT = "http://127.0.0.1:9";

let a: Admin;
let member: Awaited<ReturnType<typeof createUser>>;

beforeAll(async () => {
  a = await admin();
  member = await createUser(a, "exporter-member@acme.test");
});

const put = (body: unknown, client: { api: Admin["api"] } = a) =>
  client.api("/telemetry/exporter", { method: "PUT", body });

const valid = (over: Record<string, unknown> = {}) => ({
  protocol: "http/json",
  endpoint: collector("api"),
  samplingRatio: 1,
  ...over,
});

async function storedRow() {
  return env.DB.prepare(
    "SELECT endpoint, header_names, headers_ciphertext FROM telemetry_exporters WHERE org_id = ?",
  )
    .bind(a.orgId)
    .first<{ endpoint: string; header_names: string; headers_ciphertext: string | null }>();
}

describe("validation", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["an endpoint that is not http(s)", { endpoint: "ftp://collector.test/otlp" }, "endpoint"],
    ["an endpoint that is not a URL", { endpoint: "collector at port 4318" }, "endpoint"],
    ["an endpoint with credentials", { endpoint: "https://u:p@collector.test" }, "endpoint"],
    ["a signal path instead of the base", { endpoint: `${collector("x")}/v1/traces` }, "endpoint"],
    ["a header line without a colon", { headers: "Authorization Bearer abc" }, "headers"],
    ["a header name with a space", { headers: "X Api Key: abc" }, "headers"],
    ["a header value with a carriage return", { headers: "X-Key: a\rInjected: 1" }, "headers"],
    ["a header with no value", { headers: "X-Key:" }, "headers"],
    ["a header the gateway sets", { headers: "Content-Type: text/plain" }, "headers"],
    ["a header given twice", { headers: "X-Key: a\nx-key: b" }, "headers"],
    [
      "more than 20 headers",
      { headers: Array.from({ length: 21 }, (_, i) => `X-H${i}: v`).join("\n") },
      "headers",
    ],
    ["more than 8 KB of headers", { headers: `X-Big: ${"v".repeat(8_200)}` }, "headers"],
    ["a sampling ratio above 1", { samplingRatio: 1.5 }, "samplingRatio"],
    ["a sampling ratio below 0", { samplingRatio: -0.1 }, "samplingRatio"],
    ["a sampling ratio that is not a number", { samplingRatio: "half" }, "samplingRatio"],
    ["an unknown protocol", { protocol: "grpc" }, "protocol"],
  ];
  for (const [label, over, field] of cases) {
    it(`refuses ${label} with a 400 naming ${field}`, async () => {
      const res = await put(valid(over));
      const body = await expectFieldError(res, field);
      expect(body.error.fields?.[0]?.path).toBe(field);
      expect(JSON.stringify(body)).not.toContain("Injected: 1");
    });
  }

  it("saves nothing when refused", async () => {
    expect(await storedRow()).toBeNull();
    const { exporter } = await a.json<TelemetryExporterAnswer>("/telemetry/exporter");
    expect(exporter).toBeNull();
  });
});

describe("headers", () => {
  it("are encrypted at rest, shown by name only, and never in an answer or the audit log", async () => {
    const saved = await a.json<TelemetryExporterView>("/telemetry/exporter", {
      method: "PUT",
      body: valid({ headers: `Authorization: Bearer ${SECRET}\r\nX-Tenant: ${OTHER_SECRET}\n` }),
    });
    expect(saved).toMatchObject({
      protocol: "http/json",
      endpoint: collector("api"),
      headerNames: ["Authorization", "X-Tenant"],
      samplingRatio: 1,
      enabled: true,
    });
    expect(saved.delivery).toMatchObject({
      exported: { spans: 0, points: 0 },
      dropped: { spans: 0, points: 0 },
      pending: { payloads: 0, spans: 0, points: 0 },
      lastError: null,
    });
    const row = await storedRow();
    expect(row?.headers_ciphertext).toMatch(/^v2\./);
    expect(JSON.stringify(row)).not.toContain(SECRET);
    expect(JSON.stringify(row)).not.toContain(OTHER_SECRET);
    expect(JSON.parse(row?.header_names ?? "[]")).toEqual(["Authorization", "X-Tenant"]);

    // Saved again without headers: the stored ones are kept, sealed as they were.
    const kept = await a.json<TelemetryExporterView>("/telemetry/exporter", {
      method: "PUT",
      body: valid({ samplingRatio: 0.25, protocol: "http/protobuf" }),
    });
    expect(kept).toMatchObject({ headerNames: ["Authorization", "X-Tenant"], samplingRatio: 0.25 });
    expect((await storedRow())?.headers_ciphertext).toBe(row?.headers_ciphertext);

    const read = await a.api("/telemetry/exporter");
    const text = await read.text();
    expect(read.status).toBe(200);
    expect(text).toContain("X-Tenant");
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(OTHER_SECRET);

    // "" removes them all.
    const cleared = await a.json<TelemetryExporterView>("/telemetry/exporter", {
      method: "PUT",
      body: valid({ headers: "" }),
    });
    expect(cleared.headerNames).toEqual([]);
    expect((await storedRow())?.headers_ciphertext).toBeNull();

    const entries = await vi.waitFor(
      async () => {
        const { results } = await env.DB.prepare(
          "SELECT action, status, before, after, detail FROM audit_log WHERE org_id = ? AND action = 'telemetryExporter.update' ORDER BY at",
        )
          .bind(a.orgId)
          .all<{ action: string; status: number; before: string | null; after: string | null }>();
        if (results.filter((r) => r.status === 200).length < 3) throw new Error("not yet");
        return results;
      },
      { timeout: 5_000, interval: 25 },
    );
    const audit = JSON.stringify(entries);
    expect(audit).toContain("X-Tenant");
    expect(audit).not.toContain(SECRET);
    expect(audit).not.toContain(OTHER_SECRET);
    // The second save shows what it changed: its before has the first one's ratio.
    const second = entries.filter((e) => e.status === 200)[1];
    expect(JSON.parse(second?.before ?? "{}")).toMatchObject({ samplingRatio: 1 });
    expect(JSON.parse(second?.after ?? "{}")).toMatchObject({ samplingRatio: 0.25 });
  });
});

describe("permissions", () => {
  it("lets only telemetry:update change or test the exporter, and organisation:read see it", async () => {
    await expectApiError(await put(valid(), member), 403, "permission_error", /telemetry:update/);
    await expectApiError(
      await member.api("/telemetry/exporter", { method: "DELETE" }),
      403,
      "permission_error",
    );
    await expectApiError(
      await member.api("/telemetry/exporter/test", { body: {} }),
      403,
      "permission_error",
    );
    await expectApiError(
      await member.api("/telemetry/exporter"),
      403,
      "permission_error",
      /organisation:read/,
    );
    const editor = await createUser(a, "exporter-editor@acme.test", "editor");
    await expectApiError(await put(valid(), editor), 403, "permission_error");
  });
});

describe("send a test span", () => {
  it("reports what the collector answered: accepted, with the span in OTLP", async () => {
    await answerWith("test-ok", { mode: "ok" });
    const result = await a.json<ExporterTestResult>("/telemetry/exporter/test", {
      body: { endpoint: collector("test-ok"), protocol: "http/json", headers: `X-Key: ${SECRET}` },
    });
    expect(result.ok).toBe(true);
    expect(result.status).toBe(200);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    const got = await received("test-ok");
    expect(got.requests).toHaveLength(1);
    expect(got.requests[0]?.path).toBe("/test-ok/v1/traces");
    expect(got.requests[0]?.contentType).toMatch(/^application\/json/);
    expect(got.requests[0]?.headers["x-key"]).toBe(SECRET);
    expect(got.traces).toHaveLength(1);
  });

  it("reports a refusal with the collector's status and answer, its echo of a header blanked", async () => {
    await answerWith("test-401", {
      mode: "status",
      status: 401,
      body: `{"error":"invalid api key ${SECRET}"}`,
    });
    const result = await a.json<ExporterTestResult>("/telemetry/exporter/test", {
      body: { endpoint: collector("test-401"), headers: `X-Key: ${SECRET}` },
    });
    expect(result).toMatchObject({ ok: false, status: 401 });
    expect(result.body).toContain("invalid api key");
    expect(result.body).not.toContain(SECRET);
  });

  it("tests the saved exporter with its stored headers when the body leaves them out", async () => {
    await put(valid({ endpoint: collector("test-saved"), headers: `X-Saved: ${OTHER_SECRET}` }));
    await answerWith("test-saved", { mode: "ok" });
    const result = await a.json<ExporterTestResult>("/telemetry/exporter/test", {
      body: { protocol: "http/protobuf" },
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    const [request] = (await received("test-saved")).requests;
    expect(request?.headers["x-saved"]).toBe(OTHER_SECRET);
    expect(request?.contentType).toBe("application/x-protobuf");
  });

  it("reports a collector that cannot be reached as a 400 naming the endpoint, in words", async () => {
    const res = await a.api("/telemetry/exporter/test", { body: { endpoint: CLOSED_PORT } });
    const body = await expectFieldError(res, "endpoint");
    expect(body.error.message).toMatch(/could not be reached|did not answer/);
    expect(body.error.message).not.toMatch(/Error\b/);
  });

  it("refuses a bad endpoint before sending anything", async () => {
    await expectFieldError(
      await a.api("/telemetry/exporter/test", { body: { endpoint: "gopher://x" } }),
      "endpoint",
    );
  });
});

describe("removing", () => {
  it("removes the exporter; a second removal is a 404", async () => {
    expect((await a.api("/telemetry/exporter", { method: "DELETE" })).status).toBe(204);
    expect(await storedRow()).toBeNull();
    const { exporter } = await a.json<TelemetryExporterAnswer>("/telemetry/exporter");
    expect(exporter).toBeNull();
    await expectApiError(
      await a.api("/telemetry/exporter", { method: "DELETE" }),
      404,
      "not_found_error",
    );
    // With nothing saved, the test needs an endpoint.
    await expectFieldError(await a.api("/telemetry/exporter/test", { body: {} }), "endpoint");
  });
});
