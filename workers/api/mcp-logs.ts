// GET /api/logs/mcp: one row per tools/call through a gateway, newest first, keyset-paginated.
// Who sees what follows /api/logs/llm: log:read shows the whole organisation's rows.
import { and, desc, eq, gte, lt, lte, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import { type McpToolCall, mcpToolCalls, users } from "../../d1/schema";
import type { McpToolCallPage, McpToolCallView } from "../../shared/api-types";
import { db } from "../db";
import { route } from "./route";
import { Id } from "./schemas";
import { decodeTimeCursor, encodeTimeCursor } from "./time-cursor";

const Time = z.union([
  z.coerce.number().int().positive(),
  z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)),
]);

const OUTCOMES = ["ok", "tool_error", "upstream_error", "timeout", "refused"] as const;

const LogQuery = z.object({
  userId: Id.optional(),
  gatewayId: Id.optional(),
  serverId: Id.optional(),
  /** The name the client called, `<server>__<tool>`. */
  tool: z.string().max(200).optional(),
  outcome: z.enum(OUTCOMES).optional(),
  from: Time.optional(),
  to: Time.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/** Stored payloads are JSON text; anything else is shown as the text it is. */
function payload(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function callView(r: McpToolCall, email: string | null): McpToolCallView {
  return {
    id: r.id,
    at: r.at,
    user: { id: r.userId, email },
    client: { id: r.clientId, name: r.clientName },
    gateway: { id: r.gatewayId, slug: r.gatewaySlug },
    server: { id: r.serverId, name: r.serverName },
    tool: r.tool,
    upstreamTool: r.upstreamTool,
    durationMs: r.durationMs,
    outcome: r.outcome,
    error: r.error,
    requestBytes: r.requestBytes,
    responseBytes: r.responseBytes,
    arguments: payload(r.arguments),
    result: payload(r.result),
  };
}

export const mcpLogRoutes = [
  route({
    method: "get",
    path: "/logs/mcp",
    summary:
      "MCP tool-call log, newest first; filter by user, gateway, server, tool, outcome, time",
    access: "log:read",
    query: LogQuery,
    async handler(c, { query }) {
      const where: SQL[] = [eq(mcpToolCalls.orgId, c.get("user").orgId)];
      if (query.userId) where.push(eq(mcpToolCalls.userId, query.userId));
      if (query.gatewayId) where.push(eq(mcpToolCalls.gatewayId, query.gatewayId));
      if (query.serverId) where.push(eq(mcpToolCalls.serverId, query.serverId));
      if (query.tool) where.push(eq(mcpToolCalls.tool, query.tool));
      if (query.outcome) where.push(eq(mcpToolCalls.outcome, query.outcome));
      if (query.from) where.push(gte(mcpToolCalls.at, query.from));
      if (query.to) where.push(lte(mcpToolCalls.at, query.to));
      if (query.cursor) {
        const { at, id } = decodeTimeCursor(query.cursor);
        const older = or(
          lt(mcpToolCalls.at, at),
          and(eq(mcpToolCalls.at, at), lt(mcpToolCalls.id, id)),
        );
        if (older) where.push(older);
      }
      const rows = await db(c.env)
        .select({ row: mcpToolCalls, email: users.email })
        .from(mcpToolCalls)
        .leftJoin(users, eq(users.id, mcpToolCalls.userId))
        .where(and(...where))
        .orderBy(desc(mcpToolCalls.at), desc(mcpToolCalls.id))
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const answer: McpToolCallPage = {
        data: page.map((r) => callView(r.row, r.email)),
        nextCursor: rows.length > query.limit && last ? encodeTimeCursor(last.row) : null,
      };
      return c.json(answer);
    },
  }),
];
