// /api/limits: budgets (cost) and rate limits (tokens, requests) for the organisation, a
// user, a virtual key, an LLM proxy, or every user without a limit of their own. The Durable
// Objects in workers/limits/ enforce them; this file validates and stores the rules.

import { and, asc, eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { type Limit, limits, llmProxies, teams, users, virtualKeys } from "../../d1/schema";
import type { LimitView } from "../../shared/api-types";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { notFound } from "../errors";
import { invalidateOrgLimits } from "../limits/config-cache";
import { type LimitStatus, limitStatus } from "../limits/status";
import { badField, ModelName, unknownModels } from "./model-prices";
import { route } from "./route";
import { Id, Name } from "./schemas";

type Ctx = Context<AppEnv>;
type Metric = Limit["metric"];

const MICRO_PER_USD = 1_000_000;
const MAX_USD = 1_000_000;
const MAX_COUNT = 1_000_000_000_000;

/** Scopes whose limits belong to one thing, named by scopeId: its table and what it is. */
const SCOPED = {
  user: { table: users, noun: "user" },
  team: { table: teams, noun: "team" },
  virtual_key: { table: virtualKeys, noun: "virtual key" },
  llm_proxy: { table: llmProxies, noun: "LLM proxy" },
} as const;
const isScoped = (scope: string): scope is keyof typeof SCOPED => scope in SCOPED;

const Scope = z.enum(["organisation", "team", "user", "virtual_key", "llm_proxy", "default_user"]);

const LimitFields = z.object({
  name: Name,
  scope: Scope,
  /** The user, virtual key or LLM proxy; absent for organisation and default_user. */
  scopeId: Id.nullable().optional(),
  metric: z.enum(["cost", "tokens", "requests"]),
  /** minute and hour roll; day, week and month follow the calendar in the org's time zone. */
  window: z.enum(["minute", "hour", "day", "week", "month"]),
  /** Dollars, for a cost limit. */
  amountUsd: z.number().positive().max(MAX_USD).optional(),
  /** A count, for a tokens or requests limit. */
  amount: z.number().int().positive().max(MAX_COUNT).optional(),
  /** null or absent: every model. */
  models: z.array(ModelName).min(1).max(100).nullable().optional(),
});

function publicLimit(l: Limit, usage: LimitStatus | null): LimitView {
  return {
    id: l.id,
    name: l.name,
    scope: l.scope,
    scopeId: l.scopeId,
    metric: l.metric,
    window: l.window,
    amount: l.amount,
    amountUsd: l.metric === "cost" ? l.amount / MICRO_PER_USD : null,
    models: l.models ?? null,
    windowVersion: l.windowVersion,
    usage,
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
  };
}

/** Usage comes from the limit's Durable Object; the rule is still worth showing without it. */
async function withUsage(env: Env, limit: Limit) {
  try {
    return publicLimit(limit, await limitStatus(env, limit));
  } catch (err) {
    console.warn(
      `limit ${limit.id}: usage unavailable: ${err instanceof Error ? err.message : err}`,
    );
    return publicLimit(limit, null);
  }
}

/** The stored amount, in µ$ for cost (given in dollars) and as a count otherwise. */
function amountFor(metric: Metric, input: { amount?: number; amountUsd?: number }) {
  if (metric === "cost") {
    if (input.amount !== undefined) {
      throw badField("amount", "a cost limit is given in dollars, as amountUsd");
    }
    if (input.amountUsd === undefined) return undefined;
    // Rounded to the µ$: a dollar figure with six decimals converts exactly.
    const micro = Math.round(input.amountUsd * MICRO_PER_USD);
    if (micro < 1) throw badField("amountUsd", "must be at least 0.000001 (one micro-dollar)");
    return micro;
  }
  if (input.amountUsd !== undefined) {
    throw badField("amountUsd", `a ${metric} limit is a count: give amount instead`);
  }
  return input.amount;
}

async function checkScopeId(c: Ctx, scope: string, scopeId: string | null | undefined) {
  if (!isScoped(scope)) {
    if (scopeId != null) throw badField("scopeId", `a ${scope} limit applies to no single thing`);
    return null;
  }
  const { table, noun } = SCOPED[scope];
  if (!scopeId) throw badField("scopeId", `required: the id of the ${noun} this limit is for`);
  const found = await db(c.env)
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.id, scopeId), eq(table.orgId, c.get("user").orgId)));
  if (found.length === 0) throw badField("scopeId", `no such ${noun} in this organisation`);
  return scopeId;
}

/** Deduplicated, and each one a model some price knows, so a typo cannot silently match nothing. */
async function checkModels(c: Ctx, models: string[] | null | undefined) {
  if (!models) return null;
  const unique = [...new Set(models)];
  const unknown = await unknownModels(c.env, c.get("user").orgId, unique);
  if (unknown.length > 0) {
    throw badField(
      "models",
      `unknown model ${unknown.join(", ")}: use a built-in model id or alias, or set its price in /api/model-prices first`,
    );
  }
  return unique;
}

async function findLimit(c: Ctx, id: string): Promise<Limit> {
  const [row] = await db(c.env)
    .select()
    .from(limits)
    .where(and(eq(limits.id, id), eq(limits.orgId, c.get("user").orgId)));
  if (!row) throw notFound("No such limit.");
  return row;
}

export const limitRoutes = [
  route({
    method: "get",
    path: "/limits",
    summary: "List the organisation's limits, each with its current usage (null if unavailable)",
    access: "limit:read",
    async handler(c) {
      const rows = await db(c.env)
        .select()
        .from(limits)
        .where(eq(limits.orgId, c.get("user").orgId))
        .orderBy(asc(limits.createdAt));
      return c.json({ data: await Promise.all(rows.map((l) => withUsage(c.env, l))) });
    },
  }),
  route({
    method: "get",
    path: "/limits/:id",
    summary: "One limit with its current usage",
    access: "limit:read",
    async handler(c) {
      return c.json(await withUsage(c.env, await findLimit(c, c.req.param("id") ?? "")));
    },
  }),
  route({
    method: "post",
    path: "/limits",
    summary:
      "Create a limit: a cost budget (amountUsd) or a tokens or requests rate limit (amount), per window",
    access: "limit:create",
    body: LimitFields,
    async handler(c, { body }) {
      const amount = amountFor(body.metric, body);
      if (amount === undefined) {
        throw badField(body.metric === "cost" ? "amountUsd" : "amount", "required");
      }
      const scopeId = await checkScopeId(c, body.scope, body.scopeId);
      const now = Date.now();
      const row: Limit = {
        id: `lim_${crypto.randomUUID().replaceAll("-", "")}`,
        orgId: c.get("user").orgId,
        name: body.name,
        scope: body.scope,
        scopeId,
        metric: body.metric,
        window: body.window,
        amount,
        models: await checkModels(c, body.models),
        windowVersion: 1,
        createdAt: now,
        updatedAt: now,
      };
      await db(c.env).insert(limits).values(row);
      invalidateOrgLimits(row.orgId);
      return c.json(await withUsage(c.env, row), 201);
    },
  }),
  route({
    method: "patch",
    path: "/limits/:id",
    summary:
      "Update a limit's name, amount, window or models. Changing the window starts its usage afresh (windowVersion goes up by one); other changes keep the usage so far. Scope and metric are fixed",
    access: "limit:update",
    body: LimitFields.partial(),
    async handler(c, { body }) {
      const current = await findLimit(c, c.req.param("id") ?? "");
      // A different scope or metric would make the usage so far meaningless: that is a new limit.
      for (const field of ["scope", "metric", "scopeId"] as const) {
        if (body[field] !== undefined && body[field] !== current[field]) {
          throw badField(field, "cannot be changed: create a new limit and delete this one");
        }
      }
      const amount = amountFor(current.metric, body);
      const models = body.models === undefined ? undefined : await checkModels(c, body.models);
      const windowChanged = body.window !== undefined && body.window !== current.window;
      const [row] = await db(c.env)
        .update(limits)
        .set({
          ...(body.name !== undefined && { name: body.name }),
          ...(body.window !== undefined && { window: body.window }),
          ...(amount !== undefined && { amount }),
          ...(models !== undefined && { models }),
          // In SQL, so concurrent edits each count.
          ...(windowChanged && { windowVersion: sql`${limits.windowVersion} + 1` }),
          updatedAt: Date.now(),
        })
        .where(and(eq(limits.id, current.id), eq(limits.orgId, current.orgId)))
        .returning();
      if (!row) throw notFound("No such limit.");
      invalidateOrgLimits(row.orgId);
      return c.json(await withUsage(c.env, row));
    },
  }),
  route({
    method: "delete",
    path: "/limits/:id",
    summary: "Delete a limit; the proxy stops applying it within seconds",
    access: "limit:delete",
    async handler(c) {
      const limit = await findLimit(c, c.req.param("id") ?? "");
      await db(c.env).delete(limits).where(eq(limits.id, limit.id));
      invalidateOrgLimits(limit.orgId);
      return c.body(null, 204);
    },
  }),
];
