// The admin API under hostile input, generated from /api/openapi.json: every route, as no one,
// as a member (API token) and as an admin (session cookie, from the dashboard's origin), with
// malformed ids, bodies and queries (api-fuzz-cases.ts). No answer may be a 5xx or carry
// internal text, the declared permission must hold (no one → 401, a member without the right
// → 403), and every refusal must have the API's error shape.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BUILT_IN_ROLE_PERMISSIONS, isPermission } from "../../workers/api/permissions";
import worker from "../../workers/index";
import { type Case, casesFor, type Family, type Fixtures, type Operation } from "./api-fuzz-cases";
import { signIn } from "./api-helpers";
import { admin, call, createUser, proxyWithKey } from "./helpers";
import { addGateway, addServer, fakeTenant } from "./mcp-helpers";

// A loopback origin: the OAuth consent routes refuse plain http anywhere else.
const FUZZ_ORIGIN = "http://localhost:8787";

type Caller = "anonymous" | "member" | "admin";

// What only the gateway's insides could say: stack frames, source paths, runtime error names,
// SQLite and D1 messages, SQL text, a stringified object.
const INTERNAL: readonly RegExp[] = [
  /\n\s+at \S/,
  /\.(?:ts|js|mjs):\d+/,
  /node_modules|file:\/\/|\/work\//,
  /\b(?:Type|Reference|Range|Syntax|URI|Eval|Aggregate|Internal)Error\b/,
  /\b[A-Z]\w*Error: /,
  /\bD1_[A-Z_]+/,
  /\bSQLITE_[A-Z]+/,
  /no such (?:table|column)|constraint failed|near ".*": syntax error/i,
  /\b(?:SELECT|INSERT INTO|UPDATE|DELETE FROM)\b.{0,80}\b(?:FROM|VALUES|SET|WHERE)\b/,
  /\[object Object\]/,
];

interface Tally {
  requests: number;
  byFamily: Record<Family | "forged", number>;
  /** Answers by status class: 2xx shows generated input got past validation. */
  byStatus: Record<string, number>;
}

const tally: Tally = {
  requests: 0,
  byFamily: { id: 0, body: 0, query: 0, forged: 0 },
  byStatus: {},
};
let operations: [string, string, Operation][] = [];
const credentials: Record<Caller, Record<string, string>> = {
  anonymous: {},
  member: {},
  admin: {},
};

let fixtures: Fixtures;

beforeAll(async () => {
  const a = await admin();
  const member = await createUser(a, "fuzz-member@acme.test");
  const target = await createUser(a, "fuzz-target@acme.test");
  const { cookie } = await signIn("ada@acme.test", "correct horse battery");
  credentials.member = { authorization: `Bearer ${member.token}` };
  credentials.admin = { cookie, origin: FUZZ_ORIGIN };
  const { providerKeyId, proxyId } = await proxyWithKey(a);
  const mcpUrl = await fakeTenant("fuzz");
  const server = await addServer(a, "fuzz", mcpUrl);
  const gateway = await addGateway(a, "fuzz", [server.id]);
  const team = await a.json<{ id: string }>("/teams", { body: { name: "Fuzz team" } });
  const role = await a.json<{ id: string }>("/roles", {
    body: { name: "Fuzz role", permissions: ["log:read"] },
  });
  const limit = await a.json<{ id: string }>("/limits", {
    body: { name: "Fuzz", scope: "organisation", metric: "requests", window: "day", amount: 1e6 },
  });
  fixtures = {
    providerKeyId,
    proxyId,
    teamId: team.id,
    serverId: server.id,
    gatewayId: gateway.id,
    limitId: limit.id,
    roleId: role.id,
    userId: target.id,
    mcpUrl,
    anthropicUrl: env.FAKE_ANTHROPIC_URL,
  };
  const doc = (await (await call("/api/openapi.json")).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]): [string, string, Operation] => [method, path, op]),
  );
});

afterAll(() => {
  console.info(`API fuzz: ${operations.length} routes, ${JSON.stringify(tally)}`);
});

const MEMBER = BUILT_IN_ROLE_PERMISSIONS.member;

/** The refusal the declared permission requires, if any (the rest is up to the handler). */
function refusalFor(access: string, caller: Caller): 401 | 403 | undefined {
  if (access === "public") return undefined;
  if (caller === "anonymous") return 401;
  if (access === "signed-in" || caller === "admin") return undefined;
  return isPermission(access) && MEMBER.has(access) ? undefined : 403;
}

// SELF.fetch gets slower with every call in this pool (measured: 5 ms to 240 ms over 900 calls
// of /healthz), so the thousands of requests here go to the Worker's fetch handler directly:
// the same surface, without the HTTP hop. Its background work (audit rows) is awaited too, and
// anything it logs as an error counts against the request.
async function send(method: string, c: Case, headers: Record<string, string>) {
  const type = c.contentType === undefined ? "application/json" : c.contentType;
  const request = new Request<unknown, IncomingRequestCfProperties>(`${FUZZ_ORIGIN}${c.url}`, {
    method: method.toUpperCase(),
    headers: { ...headers, ...(c.body !== undefined && type !== null && { "content-type": type }) },
    body: c.body,
  });
  const logged: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(" "));
  });
  try {
    const ctx = createExecutionContext();
    const res = await worker.fetch(request, env, ctx);
    const text = await res.text();
    await waitOnExecutionContext(ctx);
    tally.requests++;
    const statusClass = `${String(res.status).charAt(0)}xx`;
    tally.byStatus[statusClass] = (tally.byStatus[statusClass] ?? 0) + 1;
    return { status: res.status, type: res.headers.get("content-type") ?? "", text, logged };
  } finally {
    spy.mockRestore();
  }
}

/** What is wrong with one answer, if anything. */
function problems(
  answer: { status: number; type: string; text: string; logged: string[] },
  refusal: 401 | 403 | undefined,
  access: string,
): string[] {
  const { status, type, text } = answer;
  const found: string[] = answer.logged.map((line) => `logged an error: ${line.slice(0, 300)}`);
  if (status >= 500) found.push(`status ${status}`);
  for (const pattern of INTERNAL) if (pattern.test(text)) found.push(`internal text ${pattern}`);
  if (refusal !== undefined && status !== refusal) found.push(`status ${status}, not ${refusal}`);
  // A public route may answer 401 for its own reasons (a wrong password); others may not
  // refuse a caller the declared permission lets in.
  const refused =
    (status === 401 && access !== "public") ||
    text.includes(`This needs the permission '${access}'`);
  if (refusal === undefined && refused) {
    found.push(`refused (${status}) a caller the route allows`);
  }
  if (status < 400) return found;
  if (!type.startsWith("application/json")) return [...found, `error as ${type || "no type"}`];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...found, "error body is not JSON"];
  }
  const e = body as {
    type?: unknown;
    error?: { type?: unknown; message?: unknown };
    request_id?: unknown;
  };
  const shaped =
    Object.keys(e).sort().join() === "error,request_id,type" &&
    e.type === "error" &&
    typeof e.error?.type === "string" &&
    typeof e.error.message === "string" &&
    e.error.message.length > 0 &&
    typeof e.request_id === "string" &&
    e.request_id.startsWith("req_");
  if (!shaped) found.push("error not in the API's shape");
  return found;
}

/**
 * Sends the route's cases as `caller`. A caller the permission refuses is refused before any
 * input is read, so one case of each family shows it; an allowed caller gets them all.
 */
async function fuzzRoute(caller: Caller, method: string, path: string, op: Operation) {
  const refusal = refusalFor(op["x-permission"], caller);
  let cases = casesFor(method, path, op, fixtures);
  if (refusal !== undefined) {
    const seen = new Set<Family>();
    cases = cases.filter((c) => !seen.has(c.family) && seen.add(c.family));
  }
  const failures: string[] = [];
  for (const c of cases) {
    const answer = await send(method, c, credentials[caller]);
    tally.byFamily[c.family]++;
    for (const p of problems(answer, refusal, op["x-permission"])) {
      failures.push(
        `${method.toUpperCase()} ${c.url.slice(0, 100)} [${c.label}]: ${p} — ${answer.text.slice(0, 300)}`,
      );
    }
  }
  return failures;
}

// Logging out would end the session the admin's and member's requests run on.
const skipped = (caller: Caller, method: string, path: string) =>
  caller !== "anonymous" && method === "post" && path === "/api/auth/logout";

describe("the admin API under hostile input", () => {
  for (const caller of ["anonymous", "member", "admin"] as const) {
    it(`answers every route's malformed ids, bodies and queries as ${caller}`, {
      timeout: 120_000,
    }, async () => {
      expect(operations.length).toBeGreaterThan(50);
      const failures: string[] = [];
      for (const [method, path, op] of operations) {
        if (skipped(caller, method, path)) continue;
        failures.push(...(await fuzzRoute(caller, method, path, op)));
      }
      expect(failures).toEqual([]);
    });
  }

  it("refuses forged credentials and cross-site cookie changes on every route", async () => {
    const failures: string[] = [];
    for (const [method, path, op] of operations) {
      if (op["x-permission"] === "public") continue;
      const url = path.replace(/\{\w+\}/g, "fuzz-unknown-0000");
      const c: Case = {
        family: "body",
        label: "forged",
        url,
        ...(op.requestBody && { body: "{}" }),
      };
      const forged: [string, Record<string, string>, 401 | 403][] = [
        ["bad token", { authorization: "Bearer gha_forged" }, 401],
        ["not a bearer", { authorization: "Basic YWRhOnB3" }, 401],
        ["bad cookie", { cookie: "gatehouse_session=forged", origin: FUZZ_ORIGIN }, 401],
      ];
      if (method !== "get") {
        const { cookie = "" } = credentials.admin;
        forged.push(
          ["no origin", { cookie }, 403],
          ["foreign origin", { cookie, origin: "https://evil.test" }, 403],
        );
      }
      for (const [label, headers, status] of forged) {
        const answer = await send(method, c, headers);
        tally.byFamily.forged++;
        for (const p of problems(answer, status, op["x-permission"])) {
          failures.push(`${method} ${path} [${label}]: ${p}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
