// GET /api/usage: spend and tokens from the daily rollups, over a date range, grouped by any
// of day, user, proxy, model, key and billing mode, with filters.
import { and, asc, eq, gte, lte, type SQL, sum } from "drizzle-orm";
import { z } from "zod";
import { teamMembers, usageDaily } from "../../d1/schema";
import { db } from "../db";
import { route } from "./route";
import { Id } from "./schemas";

const DIMENSIONS = {
  day: usageDaily.day,
  user: usageDaily.userId,
  proxy: usageDaily.proxyId,
  model: usageDaily.model,
  key: usageDaily.virtualKeyId,
  billingMode: usageDaily.billingMode,
  // A person's usage counts for every team they are in now: by-team figures can overlap, and
  // usage of people in no team shows under a null team.
  team: teamMembers.teamId,
} as const;
type Dimension = keyof typeof DIMENSIONS;

const Day = z.iso.date();
const DAY_MS = 86_400_000;

const UsageQuery = z
  .object({
    from: Day.optional(),
    to: Day.optional(),
    groupBy: z
      .string()
      .default("day")
      .transform((v) =>
        v
          .split(",")
          .map((d) => d.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(Object.keys(DIMENSIONS) as [Dimension, ...Dimension[]])).max(6)),
    userId: Id.optional(),
    proxyId: Id.optional(),
    model: z.string().max(200).optional(),
    billingMode: z.enum(["metered", "subscription"]).optional(),
    teamId: Id.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    path: ["to"],
    message: "must not be before from",
  });

const totals = {
  requests: sum(usageDaily.requests).mapWith(Number),
  inputTokens: sum(usageDaily.inputTokens).mapWith(Number),
  outputTokens: sum(usageDaily.outputTokens).mapWith(Number),
  cacheWrite5mTokens: sum(usageDaily.cacheWrite5mTokens).mapWith(Number),
  cacheWrite1hTokens: sum(usageDaily.cacheWrite1hTokens).mapWith(Number),
  cacheReadTokens: sum(usageDaily.cacheReadTokens).mapWith(Number),
  costMicroUsd: sum(usageDaily.costMicroUsd).mapWith(Number),
  listCostMicroUsd: sum(usageDaily.listCostMicroUsd).mapWith(Number),
  unpricedRequests: sum(usageDaily.unpricedRequests).mapWith(Number),
};

export const usageRoutes = [
  route({
    method: "get",
    path: "/usage",
    summary:
      "Usage and spend by UTC day from the rollups; groupBy any of day,user,team,proxy,model,key,billingMode",
    access: "cost:read",
    query: UsageQuery,
    async handler(c, { query }) {
      const to = query.to ?? new Date().toISOString().slice(0, 10);
      const from = query.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
      const where: SQL[] = [
        eq(usageDaily.orgId, c.get("user").orgId),
        gte(usageDaily.day, from),
        lte(usageDaily.day, to),
      ];
      if (query.userId) where.push(eq(usageDaily.userId, query.userId));
      if (query.proxyId) where.push(eq(usageDaily.proxyId, query.proxyId));
      if (query.model) where.push(eq(usageDaily.model, query.model));
      if (query.billingMode) where.push(eq(usageDaily.billingMode, query.billingMode));
      if (query.teamId) where.push(eq(teamMembers.teamId, query.teamId));
      const dims = [...new Set(query.groupBy)];
      const columns = Object.fromEntries(dims.map((d) => [d, DIMENSIONS[d]]));
      const byTeam = dims.includes("team") || query.teamId !== undefined;
      const base = db(c.env)
        .select({ ...columns, ...totals })
        .from(usageDaily);
      const rows = await (byTeam
        ? base.leftJoin(teamMembers, eq(teamMembers.userId, usageDaily.userId))
        : base
      )
        .where(and(...where))
        .groupBy(...dims.map((d) => DIMENSIONS[d]))
        .orderBy(...dims.map((d) => asc(DIMENSIONS[d])));
      return c.json({ from, to, groupBy: dims, data: rows });
    },
  }),
];
