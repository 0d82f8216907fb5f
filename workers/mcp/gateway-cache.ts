// A gateway's configuration as the MCP endpoint needs it (its servers, the tools switched off,
// the organisation's payload-logging choice), read from D1 in one batch and kept in the isolate
// for a few seconds. Admin changes made through this isolate forget it at once.
import { and, eq, sql } from "drizzle-orm";
import {
  type McpServer,
  mcpGatewayServers,
  mcpGateways,
  mcpServers,
  mcpServerTools,
  organisations,
} from "../../d1/schema";
import { TtlCache } from "../../shared/ttl-cache";
import { db } from "../db";

export interface GatewayConfig {
  id: string;
  orgId: string;
  slug: string;
  name: string;
  servers: McpServer[];
  /** `<serverId>\n<tool>` for every tool switched off. */
  disabledTools: Set<string>;
  logPayloads: boolean;
}

const TTL_MS = 5_000;
const cache = new TtlCache<GatewayConfig | null>(TTL_MS, 1_000);

export function disabledKey(serverId: string, tool: string): string {
  return `${serverId}\n${tool}`;
}

/** Drops every cached gateway (after an admin changes gateways, servers or tool switches). */
export function forgetGatewayCache(): void {
  cache.clear();
}

export async function gatewayBySlug(env: Env, slug: string): Promise<GatewayConfig | null> {
  const hit = cache.get(slug);
  if (hit !== undefined) return hit;
  const d = db(env);
  const [gateways, servers, disabled] = await d.batch([
    d
      .select({
        gateway: mcpGateways,
        // Tool arguments and results are kept for the MCP log, or as captured content.
        logPayloads: sql<number>`(${organisations.mcpLogPayloads} OR ${organisations.captureContent})`,
      })
      .from(mcpGateways)
      .innerJoin(organisations, eq(organisations.id, mcpGateways.orgId))
      .where(eq(mcpGateways.slug, slug)),
    d
      .select({ server: mcpServers })
      .from(mcpServers)
      .innerJoin(mcpGatewayServers, eq(mcpGatewayServers.serverId, mcpServers.id))
      .innerJoin(mcpGateways, eq(mcpGateways.id, mcpGatewayServers.gatewayId))
      .where(eq(mcpGateways.slug, slug)),
    d
      .select({ serverId: mcpServerTools.serverId, name: mcpServerTools.name })
      .from(mcpServerTools)
      .innerJoin(mcpGatewayServers, eq(mcpGatewayServers.serverId, mcpServerTools.serverId))
      .innerJoin(mcpGateways, eq(mcpGateways.id, mcpGatewayServers.gatewayId))
      .where(and(eq(mcpGateways.slug, slug), eq(mcpServerTools.enabled, false))),
  ]);
  const row = gateways[0];
  const config: GatewayConfig | null = row
    ? {
        id: row.gateway.id,
        orgId: row.gateway.orgId,
        slug: row.gateway.slug,
        name: row.gateway.name,
        servers: servers.map((s) => s.server).sort((a, b) => (a.name < b.name ? -1 : 1)),
        disabledTools: new Set(disabled.map((t) => disabledKey(t.serverId, t.name))),
        logPayloads: Boolean(row.logPayloads),
      }
    : null;
  cache.set(slug, config);
  return config;
}
