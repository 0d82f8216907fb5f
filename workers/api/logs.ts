// GET /api/logs/llm: one row per proxied request, newest first, keyset-paginated.
import { and, desc, eq, gte, lt, lte, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import { llmRequests, users } from "../../d1/schema";
import { db } from "../db";
import { route } from "./route";
import { Id } from "./schemas";
import { decodeTimeCursor, encodeTimeCursor } from "./time-cursor";

const Time = z.union([
  z.coerce.number().int().positive(),
  z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)),
]);

const LogQuery = z.object({
  userId: Id.optional(),
  proxyId: Id.optional(),
  model: z.string().max(200).optional(),
  agentId: z.string().max(128).optional(),
  status: z.coerce.number().int().min(100).max(599).optional(),
  from: Time.optional(),
  to: Time.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const logRoutes = [
  route({
    method: "get",
    path: "/logs/llm",
    summary: "LLM request log, newest first; filter by user, proxy, model, agent, status, time",
    access: "log:read",
    query: LogQuery,
    async handler(c, { query }) {
      const where: SQL[] = [eq(llmRequests.orgId, c.get("user").orgId)];
      if (query.userId) where.push(eq(llmRequests.userId, query.userId));
      if (query.proxyId) where.push(eq(llmRequests.proxyId, query.proxyId));
      if (query.model) where.push(eq(llmRequests.model, query.model));
      if (query.agentId) where.push(eq(llmRequests.agentId, query.agentId));
      if (query.status) where.push(eq(llmRequests.status, query.status));
      if (query.from) where.push(gte(llmRequests.createdAt, query.from));
      if (query.to) where.push(lte(llmRequests.createdAt, query.to));
      if (query.cursor) {
        const { at: createdAt, id } = decodeTimeCursor(query.cursor);
        const older = or(
          lt(llmRequests.createdAt, createdAt),
          and(eq(llmRequests.createdAt, createdAt), lt(llmRequests.id, id)),
        );
        if (older) where.push(older);
      }
      const rows = await db(c.env)
        .select({ row: llmRequests, userEmail: users.email })
        .from(llmRequests)
        .leftJoin(users, eq(users.id, llmRequests.userId))
        .where(and(...where))
        .orderBy(desc(llmRequests.createdAt), desc(llmRequests.id))
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return c.json({
        // A NULL cost means the model had no price: flagged, never counted as free.
        data: page.map((r) => ({
          ...r.row,
          userEmail: r.userEmail,
          unpriced: r.row.costMicroUsd === null,
        })),
        nextCursor:
          rows.length > query.limit && last
            ? encodeTimeCursor({ at: last.row.createdAt, id: last.row.id })
            : null,
      });
    },
  }),
];
