// GET /api/logs/mcp over rows written straight into D1 (the MCP endpoint's tests write them for
// real): newest first, every filter, keyset pagination without gaps or repeats, payloads parsed,
// the caller's organisation only, and log:read required.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { McpToolCallPage, McpToolCallView } from "../../shared/api-types";
import { expectApiError, expectFieldError, otherOrganisation } from "./api-helpers";
import { type Admin, admin, createUser } from "./helpers";

let a: Admin;
let otherOrgId: string;

interface CallRow {
  id: string;
  at: number;
  userId?: string;
  orgId?: string;
  gatewayId?: string;
  serverId?: string | null;
  tool?: string;
  outcome?: string;
  arguments?: string | null;
  result?: string | null;
}

function insert(r: CallRow) {
  return env.DB.prepare(
    `INSERT INTO mcp_tool_calls (id, org_id, at, user_id, client_id, client_name, gateway_id,
       gateway_slug, server_id, server_name, tool, upstream_tool, session_id, duration_ms, outcome,
       error, request_bytes, response_bytes, arguments, result)
     VALUES (?, ?, ?, ?, 'cli_1', 'Claude Desktop', ?, 'gw-slug', ?, 'alpha', ?, 'echo', 'sess', 42, ?, ?, 10, 20, ?, ?)`,
  ).bind(
    r.id,
    r.orgId ?? a.orgId,
    r.at,
    r.userId ?? a.userId,
    r.gatewayId ?? "mcg_one",
    r.serverId === undefined ? "mcs_alpha" : r.serverId,
    r.tool ?? "alpha__echo",
    r.outcome ?? "ok",
    r.outcome && r.outcome !== "ok" ? "it went wrong" : null,
    r.arguments ?? null,
    r.result ?? null,
  );
}

const BASE = 1_700_000_000_000;

beforeAll(async () => {
  a = await admin();
  const other = await otherOrganisation();
  otherOrgId = other.orgId;
  await env.DB.batch([
    insert({ id: "mcc_01", at: BASE + 1000, arguments: '{"text":"hi"}', result: '{"content":[]}' }),
    insert({ id: "mcc_02", at: BASE + 2000, tool: "alpha__add", outcome: "tool_error" }),
    insert({ id: "mcc_03", at: BASE + 3000, gatewayId: "mcg_two", serverId: "mcs_beta" }),
    // Two calls in the same millisecond: the id orders them.
    insert({ id: "mcc_04", at: BASE + 4000, outcome: "timeout" }),
    insert({ id: "mcc_05", at: BASE + 4000, serverId: null, tool: "nope__x", outcome: "refused" }),
    insert({ id: "mcc_06", at: BASE + 5000, userId: "usr_gone", arguments: "not json" }),
    insert({ id: "mcc_zz", at: BASE + 6000, orgId: other.orgId, userId: other.userId }),
  ]);
});

const ids = (page: McpToolCallPage) => page.data.map((r) => r.id);

describe("GET /api/logs/mcp", () => {
  it("lists the organisation's calls newest first with the full view", async () => {
    const page = await a.json<McpToolCallPage>("/logs/mcp");
    expect(ids(page)).toEqual(["mcc_06", "mcc_05", "mcc_04", "mcc_03", "mcc_02", "mcc_01"]);
    expect(page.nextCursor).toBeNull();
    const first = page.data.find((r) => r.id === "mcc_01") as McpToolCallView;
    expect(first).toEqual({
      id: "mcc_01",
      at: BASE + 1000,
      user: { id: a.userId, email: "ada@acme.test" },
      client: { id: "cli_1", name: "Claude Desktop" },
      gateway: { id: "mcg_one", slug: "gw-slug" },
      server: { id: "mcs_alpha", name: "alpha" },
      tool: "alpha__echo",
      upstreamTool: "echo",
      durationMs: 42,
      outcome: "ok",
      error: null,
      requestBytes: 10,
      responseBytes: 20,
      arguments: { text: "hi" },
      result: { content: [] },
    });
    const gone = page.data.find((r) => r.id === "mcc_06");
    expect(gone?.user).toEqual({ id: "usr_gone", email: null });
    expect(gone?.arguments).toBe("not json");
    expect(gone?.result).toBeNull();
    expect(JSON.stringify(page)).not.toContain(otherOrgId);
  });

  it("filters by user, gateway, server, tool, outcome and time", async () => {
    const q = async (query: string) => ids(await a.json<McpToolCallPage>(`/logs/mcp?${query}`));
    expect(await q("userId=usr_gone")).toEqual(["mcc_06"]);
    expect(await q("gatewayId=mcg_two")).toEqual(["mcc_03"]);
    expect(await q("serverId=mcs_beta")).toEqual(["mcc_03"]);
    expect(await q("tool=alpha__add")).toEqual(["mcc_02"]);
    expect(await q("outcome=refused")).toEqual(["mcc_05"]);
    expect(await q(`from=${BASE + 2000}&to=${BASE + 4000}`)).toEqual([
      "mcc_05",
      "mcc_04",
      "mcc_03",
      "mcc_02",
    ]);
    expect(await q(`from=${new Date(BASE + 5000).toISOString()}`)).toEqual(["mcc_06"]);
    expect(await q("outcome=ok&gatewayId=mcg_one")).toEqual(["mcc_06", "mcc_01"]);
  });

  it("pages with a cursor, without gaps or repeats, across equal timestamps", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: McpToolCallPage = await a.json<McpToolCallPage>(
        `/logs/mcp?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(["mcc_06", "mcc_05", "mcc_04", "mcc_03", "mcc_02", "mcc_01"]);
    expect(pages).toBe(3);
  });

  it("refuses bad queries with 400 naming the field", async () => {
    await expectFieldError(await a.api("/logs/mcp?cursor=bm9wZQ"), "cursor");
    await expectFieldError(await a.api("/logs/mcp?outcome=maybe"), "outcome");
    await expectFieldError(await a.api("/logs/mcp?limit=0"), "limit");
    await expectFieldError(await a.api("/logs/mcp?limit=201"), "limit");
    await expectFieldError(await a.api("/logs/mcp?from=yesterday"), "from");
  });

  it("needs log:read: a member is refused, an editor is served", async () => {
    const member = await createUser(a, "mcp-logs-member@acme.test");
    await expectApiError(await member.api("/logs/mcp"), 403, "permission_error", /log:read/);
    const editor = await createUser(a, "mcp-logs-editor@acme.test", "editor");
    const page = await editor.json<McpToolCallPage>("/logs/mcp");
    expect(ids(page)).toHaveLength(6);
  });
});
