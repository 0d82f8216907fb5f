// The hostile inputs of the API fuzz, per route of the OpenAPI document: malformed ids in every
// path parameter, malformed bodies (fixed cases and fast-check ones from the route's schema,
// seeded so every run sends the same requests), malformed query values.
import fc from "fast-check";
import { PERMISSIONS } from "../../workers/api/permissions";
import {
  accepted,
  type Hints,
  type Json,
  type JsonSchema,
  nearlyValid,
  wrongValues,
} from "./api-fuzz-schema";

export interface Operation {
  "x-permission": string;
  parameters?: { name: string; in: "path" | "query"; schema: JsonSchema }[];
  requestBody?: { content: { "application/json": { schema: JsonSchema } } };
}

export type Family = "id" | "body" | "query";

/** Real resources of the organisation, so bodies can name them and paths can reach them. */
export interface Fixtures {
  providerKeyId: string;
  proxyId: string;
  teamId: string;
  serverId: string;
  gatewayId: string;
  limitId: string;
  roleId: string;
  /** A user the fuzz may change at will (not one of its callers). */
  userId: string;
  mcpUrl: string;
  anthropicUrl: string;
}

const UNKNOWN_ID = "fuzz-unknown-0000";

export function hintsFor(f: Fixtures): Hints {
  const ids = (...real: string[]) => fc.constantFrom<Json>(...real, UNKNOWN_ID);
  return {
    role: fc.constantFrom("admin", "editor", "member", f.roleId),
    oidcDefaultRole: fc.constantFrom("member", "editor"),
    permissions: fc.subarray<Json>([...PERMISSIONS]),
    timeZone: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"),
    expiresAt: fc.constantFrom("2099-01-01T00:00:00Z", 4_102_444_800_000),
    providerKeyId: ids(f.providerKeyId),
    proxyId: ids(f.proxyId),
    userId: ids(f.userId),
    ownerUserId: ids(f.userId),
    scopeId: ids(f.teamId, f.userId, f.proxyId),
    mcpGatewayId: ids(f.gatewayId),
    teamIds: fc.subarray<Json>([f.teamId, UNKNOWN_ID]),
    serverIds: fc.subarray<Json>([f.serverId, UNKNOWN_ID]),
    url: fc.constantFrom(f.mcpUrl, "http://127.0.0.1:9/mcp"),
    baseUrl: fc.constantFrom(f.anthropicUrl, "http://127.0.0.1:9/v1"),
    // Upstream credentials: a plain one, and one trying to smuggle a second header in.
    headers: fc.constantFrom<Json>({ "X-Fuzz": "token-123" }, { "X-Fuzz": "a\r\nInjected: 1" }),
    token: fc.constantFrom("token-123", "two words", "a\u0000b"),
    models: fc.constantFrom<Json>(["claude-sonnet-4-5"], null),
    allowedModels: fc.constantFrom<Json>(["claude-sonnet-4-5"], []),
  };
}

/** The fixture a path parameter names, by the collection before it. */
function realId(collection: string, f: Fixtures): string {
  const byCollection: Record<string, string> = {
    teams: f.teamId,
    "llm-proxies": f.proxyId,
    "provider-keys": f.providerKeyId,
    "mcp-servers": f.serverId,
    "mcp-gateways": f.gatewayId,
    limits: f.limitId,
    roles: f.roleId,
    users: f.userId,
    "model-prices": "claude-sonnet-4-5",
    tools: "echo",
  };
  return byCollection[collection] ?? UNKNOWN_ID;
}

export interface Case {
  family: Family;
  label: string;
  /** Path and query, under the origin. */
  url: string;
  body?: string | Uint8Array;
  /** Content type of the body; null sends none. */
  contentType?: string | null;
}

const SEED = 20_261_124;
const GENERATED_VALID = 8;
const GENERATED_NEARLY = 8;
const GENERATED_QUERIES = 6;

/** Path parameter values, as they appear in the URL (escaped unless the raw form is the point). */
const IDS: readonly [string, string][] = [
  ["unknown", UNKNOWN_ID],
  ["overlong", "x".repeat(8_192)],
  ["traversal", encodeURIComponent("../../setup")],
  ["dot-dot", "%2e%2e"],
  ["unicode", encodeURIComponent("ünïcødé-😀-\u202e-\u0000")],
  ["sql", encodeURIComponent("' OR '1'='1' --")],
  ["sql-batch", encodeURIComponent("1;DROP TABLE users")],
  ["bad-escape", "%E0%A4%A"],
  ["nul", "%00"],
];

const QUERY_VALUES: readonly [string, string][] = [
  ["empty", ""],
  ["negative", "-1"],
  ["letters", "abc"],
  ["overflow", "1e309"],
  ["long-number", "9".repeat(400)],
  ["bad-escape", "%"],
  ["unicode", encodeURIComponent("ü😀\u202e")],
  ["sql", encodeURIComponent("' OR 1=1 --")],
  ["object", encodeURIComponent("[object Object]")],
];

const deep = (open: string, close: string, depth: number) =>
  open.repeat(depth) + close.repeat(depth);

function fixedBodies(schema: JsonSchema): [string, string | Uint8Array, (string | null)?][] {
  const first = Object.keys(schema.properties ?? {})[0] ?? "name";
  return [
    ["not-json", '{"name": '],
    ["empty", ""],
    ["text-plain", "{}", "text/plain"],
    ["no-content-type", "{}", null],
    ["top-level-array", "[]"],
    ["top-level-null", "null"],
    ["top-level-number", "42"],
    ["top-level-string", '"name"'],
    ["missing-fields", "{}"],
    ["deep-array", deep("[", "]", 100_000)],
    ["deep-object", `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`],
    ["deep-in-field", `{"${first}":${deep("[", "]", 20_000)}}`],
    ["huge-body", `{"pad":"${"y".repeat(1_500_000)}"}`],
    ["prototype", '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}'],
    ["duplicate-keys", `{"${first}":"a","${first}":{"x":1}}`],
    ["invalid-utf8", Uint8Array.of(0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d)],
  ];
}

/** The three flags that would lock the callers out (SSO only, Cloudflare Access) stay off. */
function harmless(path: string, body: unknown): unknown {
  if (path !== "/api/sso" || typeof body !== "object" || body === null) return body;
  const copy: Record<string, unknown> = { ...body };
  for (const flag of ["oidcEnabled", "ssoOnly", "accessEnabled"]) {
    if (copy[flag] === true) copy[flag] = false;
  }
  return copy;
}

/** A route-specific seed, so adding a route leaves the others' requests unchanged. */
function seedOf(key: string): number {
  let h = SEED;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return h;
}

function bodyCases(
  docPath: string,
  url: string,
  schema: JsonSchema,
  key: string,
  hints: Hints,
): Case[] {
  const cases: Case[] = fixedBodies(schema).map(([label, body, contentType]) => ({
    family: "body",
    label,
    url,
    body,
    ...(contentType !== undefined && { contentType }),
  }));
  const [example] = fc.sample(accepted(schema, hints), { seed: seedOf(key), numRuns: 1 });
  for (const [prop, propSchema] of Object.entries(schema.properties ?? {})) {
    for (const wrong of wrongValues(propSchema).slice(0, 2)) {
      const body = { ...(example as Record<string, unknown>), [prop]: wrong };
      cases.push({ family: "body", label: `wrong-type:${prop}`, url, body: JSON.stringify(body) });
    }
  }
  const generated = [
    ...fc.sample(accepted(schema, hints), { seed: seedOf(key), numRuns: GENERATED_VALID }),
    ...fc.sample(nearlyValid(schema, hints), { seed: seedOf(key) + 1, numRuns: GENERATED_NEARLY }),
  ];
  for (const [i, body] of generated.entries()) {
    const label = i < GENERATED_VALID ? "generated" : "generated-nearly-valid";
    cases.push({ family: "body", label, url, body: JSON.stringify(harmless(docPath, body)) });
  }
  return cases;
}

function queryCases(
  url: string,
  params: { name: string; schema: JsonSchema }[],
  key: string,
  hints: Hints,
) {
  const cases: Case[] = [
    { family: "query", label: "unknown-param", url: `${url}?__proto__=x&zzz=${"z".repeat(2_000)}` },
  ];
  for (const { name } of params) {
    for (const [label, value] of QUERY_VALUES) {
      cases.push({ family: "query", label: `${name}:${label}`, url: `${url}?${name}=${value}` });
    }
    cases.push({ family: "query", label: `${name}:repeated`, url: `${url}?${name}=1&${name}=2` });
  }
  const all = fc.record(
    Object.fromEntries(params.map((p) => [p.name, accepted(p.schema, hints)])),
    {
      requiredKeys: [],
    },
  );
  for (const values of fc.sample(all, { seed: seedOf(key), numRuns: GENERATED_QUERIES })) {
    const query = new URLSearchParams();
    for (const [name, v] of Object.entries(values)) {
      query.set(name, typeof v === "string" ? v : JSON.stringify(v));
    }
    cases.push({ family: "query", label: "generated", url: `${url}?${query}` });
  }
  return cases;
}

/**
 * Every hostile request for one operation: malformed ids on their own, and malformed bodies
 * and queries against real resources (so a body that passes validation reaches the handler).
 */
export function casesFor(method: string, docPath: string, op: Operation, f: Fixtures): Case[] {
  const key = `${method} ${docPath}`;
  const hints = hintsFor(f);
  // Each {param} takes a value chosen by the collection segment before it.
  const withIds = (id: (collection: string) => string) =>
    docPath
      .split("/")
      .map((seg, i, all) => (/^\{\w+\}$/.test(seg) ? id(all[i - 1] ?? "") : seg))
      .join("/");
  const real = withIds((collection) => realId(collection, f));
  const schema = op.requestBody?.content["application/json"].schema;
  const cases: Case[] = [];
  if (/\{\w+\}/.test(docPath)) {
    for (const [label, id] of IDS) {
      cases.push({ family: "id", label, url: withIds(() => id), ...(schema && { body: "{}" }) });
    }
  }
  if (schema) cases.push(...bodyCases(docPath, real, schema, key, hints));
  const query = (op.parameters ?? []).filter((p) => p.in === "query");
  if (query.length > 0) cases.push(...queryCases(real, query, key, hints));
  else if (method === "get") {
    cases.push({ family: "query", label: "unexpected-query", url: `${real}?limit=-1&x=%` });
  }
  return cases;
}
