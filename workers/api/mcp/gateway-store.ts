// MCP gateways as stored: their views (with servers and teams), lookups within the caller's
// organisation, and the statements that replace a gateway's server and team links.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Context } from "hono";
import {
  type McpGateway,
  mcpGatewayServers,
  mcpGateways,
  mcpGatewayTeams,
  mcpServers,
  teams,
} from "../../../d1/schema";
import type { McpGatewayView } from "../../../shared/api-types";
import { mcpConnectorName, mcpGatewayUrl } from "../../../shared/claude-desktop-profile";
import type { AppEnv } from "../../app-env";
import { db } from "../../db";
import { badRequest, notFound } from "../../errors";
import { publicOrigin } from "../../public-origin";

type Ctx = Context<AppEnv>;

function gatewayView(
  c: Ctx,
  g: McpGateway,
  serverIds: string[],
  teamIds: string[],
): McpGatewayView {
  return {
    id: g.id,
    slug: g.slug,
    name: g.name,
    description: g.description,
    serverIds: [...serverIds].sort(),
    teamIds: [...teamIds].sort(),
    url: mcpGatewayUrl(publicOrigin(c), g.slug),
    connectorName: mcpConnectorName(g.slug),
    createdAt: g.createdAt,
    updatedAt: g.updatedAt,
  };
}

/** Views of these gateways of the caller's organisation, with servers and teams in two queries. */
export async function gatewayViews(c: Ctx, rows: readonly McpGateway[]): Promise<McpGatewayView[]> {
  if (rows.length === 0) return [];
  const single = rows.length === 1 ? rows[0] : undefined;
  const orgId = c.get("user").orgId;
  const [servers, teamRows] = await Promise.all([
    db(c.env)
      .select({ gatewayId: mcpGatewayServers.gatewayId, id: mcpGatewayServers.serverId })
      .from(mcpGatewayServers)
      .where(
        single ? eq(mcpGatewayServers.gatewayId, single.id) : eq(mcpGatewayServers.orgId, orgId),
      ),
    db(c.env)
      .select({ gatewayId: mcpGatewayTeams.gatewayId, id: mcpGatewayTeams.teamId })
      .from(mcpGatewayTeams)
      .where(single ? eq(mcpGatewayTeams.gatewayId, single.id) : eq(mcpGatewayTeams.orgId, orgId)),
  ]);
  const group = (links: { gatewayId: string; id: string }[]) => {
    const by = new Map<string, string[]>();
    for (const l of links) by.set(l.gatewayId, [...(by.get(l.gatewayId) ?? []), l.id]);
    return by;
  };
  const byServer = group(servers);
  const byTeam = group(teamRows);
  return rows.map((g) => gatewayView(c, g, byServer.get(g.id) ?? [], byTeam.get(g.id) ?? []));
}

export async function gatewayViewOf(c: Ctx, g: McpGateway): Promise<McpGatewayView> {
  const [view] = await gatewayViews(c, [g]);
  if (!view) throw new Error("a gateway view went missing");
  return view;
}

export async function findOrgGateway(c: Ctx, id: string): Promise<McpGateway> {
  const [row] = await db(c.env)
    .select()
    .from(mcpGateways)
    .where(and(eq(mcpGateways.id, id), eq(mcpGateways.orgId, c.get("user").orgId)));
  if (!row) throw notFound("No such MCP gateway.");
  return row;
}

/** Every id names an MCP server of this organisation, or the input is refused naming `serverIds`. */
export async function checkServerIds(c: Ctx, ids: readonly string[] | undefined) {
  if (!ids || ids.length === 0) return;
  const found = await db(c.env)
    .select({ id: mcpServers.id })
    .from(mcpServers)
    .where(and(inArray(mcpServers.id, [...ids]), eq(mcpServers.orgId, c.get("user").orgId)));
  const known = new Set(found.map((s) => s.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw badRequest(`serverIds: no such MCP server in this organisation: ${missing.join(", ")}.`, [
      { path: "serverIds", message: "no such MCP server in this organisation" },
    ]);
  }
}

/**
 * The statements replacing a gateway's servers and teams (those given). Inserted through a
 * SELECT of rows of the organisation, so one deleted since it was checked is skipped rather
 * than failing the batch.
 */
export function linkStatements(
  c: Ctx,
  gatewayId: string,
  serverIds: readonly string[] | undefined,
  teamIds: readonly string[] | undefined,
): BatchItem<"sqlite">[] {
  const d = db(c.env);
  const orgId = c.get("user").orgId;
  const out: BatchItem<"sqlite">[] = [];
  if (serverIds !== undefined) {
    out.push(d.delete(mcpGatewayServers).where(eq(mcpGatewayServers.gatewayId, gatewayId)));
    if (serverIds.length > 0) {
      out.push(
        d.insert(mcpGatewayServers).select(
          d
            .select({
              gatewayId: sql<string>`${gatewayId}`.as("gateway_id"),
              serverId: mcpServers.id,
              orgId: mcpServers.orgId,
            })
            .from(mcpServers)
            .where(and(eq(mcpServers.orgId, orgId), inArray(mcpServers.id, [...serverIds]))),
        ),
      );
    }
  }
  if (teamIds !== undefined) {
    out.push(d.delete(mcpGatewayTeams).where(eq(mcpGatewayTeams.gatewayId, gatewayId)));
    if (teamIds.length > 0) {
      out.push(
        d.insert(mcpGatewayTeams).select(
          d
            .select({
              gatewayId: sql<string>`${gatewayId}`.as("gateway_id"),
              teamId: teams.id,
              orgId: teams.orgId,
            })
            .from(teams)
            .where(and(eq(teams.orgId, orgId), inArray(teams.id, [...teamIds]))),
        ),
      );
    }
  }
  return out;
}
