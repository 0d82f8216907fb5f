// Reading upstream MCP servers for the admin API: one server of the caller's organisation, and
// the views the API answers with (credential hint, current tools, gateways using it). The
// tools shown are those of the last listing: the last test's when it succeeded, else the last
// test that did (a failed test keeps showing what was there).
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { type McpServer, mcpGatewayServers, mcpServers } from "../../../d1/schema";
import type { McpServerView, McpToolView } from "../../../shared/api-types";
import type { AppEnv } from "../../app-env";
import { db } from "../../db";
import { notFound } from "../../errors";
import { authView } from "../../mcp/upstream-auth";

export async function findOrgServer(c: Context<AppEnv>, id: string): Promise<McpServer> {
  const [row] = await db(c.env)
    .select()
    .from(mcpServers)
    .where(and(eq(mcpServers.id, id), eq(mcpServers.orgId, c.get("user").orgId)));
  if (!row) throw notFound("No such MCP server.");
  return row;
}

interface ToolRow {
  server_id: string;
  name: string;
  description: string | null;
  enabled: number;
}

// The tools of the last listing: the last test's when it succeeded, else the latest seen.
const latestToolsSql = (scope: "s.id" | "s.org_id") => `
SELECT t.server_id, t.name, t.description, t.enabled
FROM mcp_server_tools t JOIN mcp_servers s ON s.id = t.server_id
WHERE ${scope} = ?
  AND t.seen_at = CASE
    WHEN s.last_tested_at IS NOT NULL AND s.last_test_error IS NULL THEN s.last_tested_at
    ELSE (SELECT MAX(seen_at) FROM mcp_server_tools WHERE server_id = s.id)
  END
ORDER BY t.server_id, t.name`;
const TOOLS_OF_SERVER = latestToolsSql("s.id");
const TOOLS_OF_ORG = latestToolsSql("s.org_id");

/** The current tools of one server, or of every server of an organisation, by server id. */
export async function latestTools(
  env: Env,
  scope: { serverId: string } | { orgId: string },
): Promise<Map<string, McpToolView[]>> {
  const statement =
    "serverId" in scope
      ? env.DB.prepare(TOOLS_OF_SERVER).bind(scope.serverId)
      : env.DB.prepare(TOOLS_OF_ORG).bind(scope.orgId);
  const { results } = await statement.all<ToolRow>();
  const byServer = new Map<string, McpToolView[]>();
  for (const r of results) {
    const list = byServer.get(r.server_id) ?? [];
    list.push({ name: r.name, description: r.description, enabled: r.enabled === 1 });
    byServer.set(r.server_id, list);
  }
  return byServer;
}

function serverView(row: McpServer, tools: McpToolView[], gatewayIds: string[]): McpServerView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    url: row.url,
    auth: authView(row),
    timeoutMs: row.timeoutMs,
    tools,
    lastTest:
      row.lastTestedAt === null
        ? null
        : { at: row.lastTestedAt, ok: row.lastTestError === null, error: row.lastTestError },
    gatewayIds,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Views of these servers (all of `orgId`), loading tools and gateways in two queries. */
export async function serverViews(
  env: Env,
  orgId: string,
  rows: readonly McpServer[],
): Promise<McpServerView[]> {
  if (rows.length === 0) return [];
  const single = rows.length === 1 ? rows[0] : undefined;
  const [tools, links] = await Promise.all([
    latestTools(env, single ? { serverId: single.id } : { orgId }),
    db(env)
      .select({ serverId: mcpGatewayServers.serverId, gatewayId: mcpGatewayServers.gatewayId })
      .from(mcpGatewayServers)
      .where(
        single ? eq(mcpGatewayServers.serverId, single.id) : eq(mcpGatewayServers.orgId, orgId),
      ),
  ]);
  const gateways = new Map<string, string[]>();
  for (const l of links)
    gateways.set(l.serverId, [...(gateways.get(l.serverId) ?? []), l.gatewayId]);
  return rows.map((r) => serverView(r, tools.get(r.id) ?? [], (gateways.get(r.id) ?? []).sort()));
}

export async function serverViewOf(env: Env, row: McpServer): Promise<McpServerView> {
  const [view] = await serverViews(env, row.orgId, [row]);
  if (!view) throw new Error("a server view went missing");
  return view;
}
