// /api/organisation: the caller's organisation and its settings for costs and limits: the
// time zone calendar windows start in, what the proxy does when a limit cannot be checked,
// the price of models nobody has priced; and what is kept of its traffic: whether prompts,
// completions and tool payloads are captured, and for how many days log rows are kept.

import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { organisations } from "../../d1/schema";
import type { OrganisationView } from "../../shared/api-types";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { notFound } from "../errors";
import { invalidateOrgLimits } from "../limits/config-cache";
import { forgetGatewayCache } from "../mcp/gateway-cache";
import { describePrice, toMicroPrice, UsdPrice } from "./model-prices";
import { route } from "./route";
import { Name } from "./schemas";

type Organisation = typeof organisations.$inferSelect;

/**
 * An IANA zone, stored as Intl spells it ("europe/berlin" → "Europe/Berlin") so the limit
 * windows, which also go through Intl, read back exactly what was checked here.
 */
const TimeZone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  // Intl in workerd also takes UTC offsets ("+05:00"), which have no daylight saving rules.
  .regex(/^[A-Za-z][\w+\-/]*$/, "an IANA time zone name, not an offset")
  .transform((timeZone, ctx) => {
    try {
      return new Intl.DateTimeFormat(undefined, { timeZone }).resolvedOptions().timeZone;
    } catch {
      ctx.addIssue({
        code: "custom",
        message: "not an IANA time zone (for example Europe/Berlin or America/New_York)",
      });
      return z.NEVER;
    }
  });

/** Days of logs to keep: whole days from 1 to ten years; null keeps them forever. */
const RETENTION_DAYS_MAX = 3650;
const RetentionDays = z
  .number({
    error: `a whole number of days (1 to ${RETENTION_DAYS_MAX}), or null to keep logs forever`,
  })
  .int("a whole number of days")
  .min(1, "at least 1 day (null keeps logs forever)")
  .max(RETENTION_DAYS_MAX, `at most ${RETENTION_DAYS_MAX} days (null keeps logs forever)`);

const OrganisationPatch = z.object({
  name: Name.optional(),
  timeZone: TimeZone.optional(),
  /** closed: refuse requests when a limit cannot be checked; open: let them through. */
  limitFailMode: z.enum(["closed", "open"]).optional(),
  /** Keep MCP tool-call arguments and results (redacted) in the MCP logs. */
  mcpLogPayloads: z.boolean().optional(),
  /** null: requests for models with no price of their own are logged as unpriced. */
  defaultModelPrice: UsdPrice.nullable().optional(),
  /** Capture prompts, completions, tool arguments and results (redacted, capped). */
  captureContent: z.boolean().optional(),
  /** Log rows and captured content older than this many days are deleted hourly; null: never. */
  retentionDays: RetentionDays.nullable().optional(),
});

function publicOrganisation(o: Organisation): OrganisationView {
  return {
    id: o.id,
    name: o.name,
    timeZone: o.timeZone,
    limitFailMode: o.limitFailMode,
    mcpLogPayloads: o.mcpLogPayloads,
    defaultModelPrice: o.defaultModelPrice ? describePrice(o.defaultModelPrice) : null,
    captureContent: o.captureContent,
    retentionDays: o.retentionDays,
    createdAt: o.createdAt,
  };
}

async function findOrganisation(c: Context<AppEnv>): Promise<Organisation> {
  const [row] = await db(c.env)
    .select()
    .from(organisations)
    .where(eq(organisations.id, c.get("user").orgId));
  // Only reachable if the row went away under a live session.
  if (!row) throw notFound("No such organisation.");
  return row;
}

export const organisationRoutes = [
  route({
    method: "get",
    path: "/organisation",
    summary: "The caller's organisation and its cost and limit settings",
    access: "organisation:read",
    async handler(c) {
      return c.json(publicOrganisation(await findOrganisation(c)));
    },
  }),
  route({
    method: "patch",
    path: "/organisation",
    summary:
      "Update the organisation: name, time zone of calendar limit windows (day, week, month), fail mode when a limit cannot be checked, price for unknown models, content capture, days logs are kept",
    access: "organisation:update",
    body: OrganisationPatch,
    async handler(c, { body }) {
      const orgId = c.get("user").orgId;
      const changes: Partial<Organisation> = {
        ...(body.name !== undefined && { name: body.name }),
        ...(body.timeZone !== undefined && { timeZone: body.timeZone }),
        ...(body.limitFailMode !== undefined && { limitFailMode: body.limitFailMode }),
        ...(body.mcpLogPayloads !== undefined && { mcpLogPayloads: body.mcpLogPayloads }),
        ...(body.defaultModelPrice !== undefined && {
          defaultModelPrice: body.defaultModelPrice && toMicroPrice(body.defaultModelPrice),
        }),
        // The proxy reads captureContent with the organisation's config_revision (cached 5 s).
        ...(body.captureContent !== undefined && { captureContent: body.captureContent }),
        ...(body.retentionDays !== undefined && { retentionDays: body.retentionDays }),
      };
      if (Object.keys(changes).length > 0) {
        // The MCP endpoint caches each gateway with the organisation's payload-logging choice.
        if (body.mcpLogPayloads !== undefined || body.captureContent !== undefined) {
          forgetGatewayCache();
        }
        await db(c.env).update(organisations).set(changes).where(eq(organisations.id, orgId));
        invalidateOrgLimits(orgId);
      }
      return c.json(publicOrganisation(await findOrganisation(c)));
    },
  }),
];
