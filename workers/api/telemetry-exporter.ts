// /api/telemetry/exporter: the organisation's OTLP exporter (one per organisation). Its headers
// (a collector's API key, usually) are sealed on the way in and never leave again: reads show
// their names only, the audit log sees what the API answers, and a collector's answer shown by
// the test has their values blanked. Delivery status comes from the organisation's
// ExportOutbox. Saving does not contact the collector (it may be down for a while, which export
// copes with); "send a test span" does, and answers what it said.
//
// Limits: at most 20 headers in at most 8 KB of "Name: value" lines, each value at most 4 KB;
// an endpoint of at most 2048 characters, the collector's base URL (signals are posted to
// <endpoint>/v1/traces and <endpoint>/v1/metrics), without credentials, query or fragment.
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { type TelemetryExporter, telemetryExporters } from "../../d1/schema";
import { exportOutbox } from "../../durable-objects/export-outbox";
import type {
  ExporterTestResult,
  TelemetryExporterAnswer,
  TelemetryExporterView,
} from "../../shared/api-types";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { badRequest, notFound } from "../errors";
import { postPayload } from "../observability/deliver";
import { forgetExporterConfig, openHeaders, sealHeaders } from "../observability/exporter-config";
import { testSpanPayload } from "../observability/payloads";
import { route } from "./route";

export const MAX_HEADERS = 20;
export const MAX_HEADER_TEXT = 8 * 1024;
const MAX_HEADER_VALUE = 4 * 1024;

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the gateway on every export, or by the runtime; an admin may not set them. */
const RESERVED_HEADERS = new Set([
  "host",
  "content-type",
  "content-length",
  "content-encoding",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "upgrade",
]);

/**
 * "Name: value" lines, one header a line (blank lines ignored) → the headers. Messages name the
 * line and, once it is a valid name, the header; a value is never repeated back.
 */
const HeaderLines = z
  .string({ error: "header lines as text, one 'Name: value' a line" })
  .max(MAX_HEADER_TEXT, `at most ${MAX_HEADER_TEXT} characters of header lines`)
  .transform((text, ctx) => {
    const headers: Record<string, string> = {};
    const seen = new Set<string>();
    const fail = (message: string) => ctx.addIssue({ code: "custom", message });
    for (const [i, raw] of text.split("\n").entries()) {
      const line = raw.replace(/\r$/, "").trim();
      if (!line) continue;
      const at = `line ${i + 1}`;
      const colon = line.indexOf(":");
      if (colon <= 0) {
        fail(`${at} is not 'Name: value'`);
        continue;
      }
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (!HEADER_NAME.test(name) || name.length > 128) {
        fail(`${at}: a header name is letters, digits and !#$%&'*+.^_\`|~- (at most 128)`);
        continue;
      }
      const lower = name.toLowerCase();
      if (!value) fail(`${at}: ${name} has no value`);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
      else if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
        fail(`${at}: the value of ${name} may not contain line breaks or control characters`);
      } else if (value.length > MAX_HEADER_VALUE) {
        fail(`${at}: the value of ${name} is longer than ${MAX_HEADER_VALUE} characters`);
      } else if (RESERVED_HEADERS.has(lower)) fail(`${at}: ${name} is set by the gateway itself`);
      else if (seen.has(lower)) fail(`${at}: ${name} is given twice (names ignore case)`);
      seen.add(lower);
      headers[name] = value;
    }
    if (seen.size > MAX_HEADERS) fail(`at most ${MAX_HEADERS} headers`);
    return headers;
  });

const Endpoint = z
  .string({ error: "the collector's base URL, for example https://otel.example.com:4318" })
  .trim()
  .min(1, "the collector's base URL, for example https://otel.example.com:4318")
  .max(2048, "at most 2048 characters")
  .transform((text, ctx) => {
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return fail("not a URL; give the collector's base URL, e.g. https://otel.example.com:4318");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return fail("must be an http:// or https:// URL (OTLP over HTTP)");
    }
    if (url.username || url.password) {
      return fail("may not hold credentials; put them in the headers, which are kept encrypted");
    }
    if (url.search || url.hash || text.includes("?") || text.includes("#")) {
      return fail("the collector's base URL, without a query or fragment");
    }
    const base = url.href.replace(/\/+$/, "");
    if (/\/v1\/(traces|metrics|logs)$/.test(base)) {
      return fail(
        "the collector's base URL, without /v1/traces: the gateway adds /v1/traces and /v1/metrics",
      );
    }
    return base;
  });

const SamplingRatio = z
  .number({ error: "a number from 0 (no traces) to 1 (every trace)" })
  .min(0, "at least 0 (no traces)")
  .max(1, "at most 1 (every trace)");

const Protocol = z.enum(["http/json", "http/protobuf"], {
  error: "http/json or http/protobuf",
});

const ExporterInput = z.object({
  protocol: Protocol,
  endpoint: Endpoint,
  /** "Name: value" lines; "" removes every header; left out keeps the stored ones. */
  headers: HeaderLines.optional(),
  samplingRatio: SamplingRatio,
  /** Left out: as stored (a new exporter is enabled). */
  enabled: z.boolean().optional(),
});

/** Each field left out is the saved exporter's, so an admin can test a form before saving it. */
const TestInput = z.object({
  protocol: Protocol.optional(),
  endpoint: Endpoint.optional(),
  headers: HeaderLines.optional(),
});

const AUDIT = "telemetryExporter";

async function savedRow(env: Env, orgId: string): Promise<TelemetryExporter | undefined> {
  const [row] = await db(env)
    .select()
    .from(telemetryExporters)
    .where(eq(telemetryExporters.orgId, orgId));
  return row;
}

function configView(row: TelemetryExporter): Omit<TelemetryExporterView, "delivery"> {
  return {
    protocol: row.protocol,
    endpoint: row.endpoint,
    headerNames: row.headerNames,
    samplingRatio: row.samplingRatio,
    enabled: row.enabled,
    updatedAt: row.updatedAt,
  };
}

async function exporterView(env: Env, row: TelemetryExporter): Promise<TelemetryExporterView> {
  return { ...configView(row), delivery: await exportOutbox(env, row.orgId).status() };
}

/** The audit entry's `before`: the configuration (header names only), not the counters. */
async function configBefore(c: Context<AppEnv>) {
  const row = await savedRow(c.env, c.get("user").orgId);
  return row ? configView(row) : null;
}

export const exporterRoutes = [
  route({
    method: "get",
    path: "/telemetry/exporter",
    summary:
      "The organisation's OTLP exporter (header names, never values) and how its exports went: exported, dropped and pending spans and points, the last success and the collector's last error",
    access: "organisation:read",
    async handler(c) {
      const row = await savedRow(c.env, c.get("user").orgId);
      const answer: TelemetryExporterAnswer = {
        exporter: row ? await exporterView(c.env, row) : null,
      };
      return c.json(answer);
    },
  }),
  route({
    method: "put",
    path: "/telemetry/exporter",
    summary:
      "Set up or change the OTLP exporter: protocol, collector endpoint, headers ('Name: value' lines, encrypted at rest; left out keeps the stored ones, \"\" removes them), sampling ratio (0 to 1), enabled",
    access: "telemetry:update",
    body: ExporterInput,
    audit: { resource: AUDIT, action: "update" },
    loadBefore: configBefore,
    async handler(c, { body }) {
      const orgId = c.get("user").orgId;
      const current = await savedRow(c.env, orgId);
      const sealed =
        body.headers === undefined
          ? {
              headerNames: current?.headerNames ?? [],
              headersCiphertext: current?.headersCiphertext ?? null,
            }
          : {
              headerNames: Object.keys(body.headers),
              headersCiphertext: await sealHeaders(c.env, orgId, body.headers),
            };
      const row: TelemetryExporter = {
        orgId,
        protocol: body.protocol,
        endpoint: body.endpoint,
        ...sealed,
        samplingRatio: body.samplingRatio,
        enabled: body.enabled ?? current?.enabled ?? true,
        updatedAt: Math.max(Date.now(), (current?.updatedAt ?? 0) + 1),
      };
      await db(c.env)
        .insert(telemetryExporters)
        .values(row)
        .onConflictDoUpdate({ target: telemetryExporters.orgId, set: row });
      forgetExporterConfig(orgId);
      await exportOutbox(c.env, orgId).configChanged(false);
      return c.json(await exporterView(c.env, row));
    },
  }),
  route({
    method: "delete",
    path: "/telemetry/exporter",
    summary:
      "Remove the OTLP exporter: nothing more is exported, and payloads waiting to be retried are dropped",
    access: "telemetry:update",
    audit: { resource: AUDIT, action: "delete" },
    loadBefore: configBefore,
    async handler(c) {
      const orgId = c.get("user").orgId;
      const deleted = await db(c.env)
        .delete(telemetryExporters)
        .where(eq(telemetryExporters.orgId, orgId))
        .returning({ orgId: telemetryExporters.orgId });
      if (deleted.length === 0) throw notFound("This organisation has no OTLP exporter.");
      forgetExporterConfig(orgId);
      await exportOutbox(c.env, orgId).configChanged(true);
      return c.body(null, 204);
    },
  }),
  route({
    method: "post",
    path: "/telemetry/exporter/test",
    summary:
      "Send one test span to the collector (the saved exporter, with any of protocol, endpoint and headers given here instead) and answer what it said: status and an excerpt of its answer; a collector that cannot be reached is a 400 naming the endpoint",
    access: "telemetry:update",
    body: TestInput,
    audit: { resource: AUDIT, action: "test" },
    async handler(c, { body }) {
      const orgId = c.get("user").orgId;
      const saved = await savedRow(c.env, orgId);
      const endpoint = body.endpoint ?? saved?.endpoint;
      if (!endpoint) {
        const message = "No exporter is saved: give the collector's endpoint to test.";
        throw badRequest(message, [{ path: "endpoint", message }]);
      }
      const headers =
        body.headers ?? (saved ? await openHeaders(c.env, orgId, saved.headersCiphertext) : {});
      const protocol = body.protocol ?? saved?.protocol ?? "http/json";
      const outcome = await postPayload(
        { endpoint, headers },
        testSpanPayload(protocol, Date.now()),
      );
      if (outcome.kind === "unreachable") {
        throw badRequest(`${outcome.body} (${endpoint})`, [
          { path: "endpoint", message: outcome.body },
        ]);
      }
      const answer: ExporterTestResult = {
        ok: outcome.kind === "delivered",
        status: outcome.status,
        body: outcome.body,
        durationMs: outcome.durationMs,
      };
      return c.json(answer);
    },
  }),
];
