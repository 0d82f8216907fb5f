// /api/mcp-gateways: MCP gateways, each one URL (`/v1/mcp/<slug>`) aggregating the upstream
// servers assigned to it, optionally limited to teams (none: the whole organisation). The slug
// is fixed at creation because clients hold the URL. Anyone who may read gateways can ask for
// the ones they may use (?usable=true), as the Connect page does.
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { type McpGateway, mcpGatewayServers, mcpGateways, mcpGatewayTeams } from "../../d1/schema";
import { newId } from "../../shared/ids";
import { db } from "../db";
import { badRequest, conflict } from "../errors";
import { gatewayAccess } from "../mcp/gateway-access";
import { forgetGatewayCache } from "../mcp/gateway-cache";
import { forgetGatewaySlugs } from "../oauth/gateway-slugs";
import {
  checkServerIds,
  findOrgGateway,
  gatewayViewOf,
  gatewayViews,
  linkStatements,
} from "./mcp/gateway-store";
import { route } from "./route";
import { Id, Name } from "./schemas";
import { checkTeamIds, TeamIds } from "./teams";

const Slug = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    "1 to 40 lowercase letters, digits and inner hyphens (it is part of the gateway's URL)",
  );
const Description = z.string().trim().max(500).nullable();
const ServerIds = z
  .array(Id)
  .max(100)
  .transform((ids) => [...new Set(ids)]);

const GatewayInput = z.object({
  slug: Slug,
  name: Name,
  description: Description.optional(),
  serverIds: ServerIds,
  /** Teams whose members may use the gateway; empty or absent: everyone. */
  teamIds: TeamIds.optional(),
});

const GatewayPatch = GatewayInput.partial().refine(
  (b) => Object.values(b).some((v) => v !== undefined),
  { message: "give at least one of name, description, serverIds, teamIds" },
);

const ListQuery = z.object({
  usable: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true"),
});

const slugTaken = (slug: string) =>
  conflict(`The slug '${slug}' is taken: gateway slugs are unique, since they are in the URL.`);

export const mcpGatewayRoutes = [
  route({
    method: "get",
    path: "/mcp-gateways",
    summary:
      "List the organisation's MCP gateways (?usable=true: only those the caller may use, as Connect offers them)",
    access: "mcpGateway:read",
    query: ListQuery,
    async handler(c, { query }) {
      const user = c.get("user");
      const rows = await db(c.env)
        .select()
        .from(mcpGateways)
        .where(eq(mcpGateways.orgId, user.orgId))
        .orderBy(asc(mcpGateways.slug));
      let visible = rows;
      if (query.usable) {
        const access = await Promise.all(rows.map((g) => gatewayAccess(c.env, g.id, user.id)));
        visible = rows.filter((_, i) => access[i]?.ok === true);
      }
      return c.json({ data: await gatewayViews(c, visible) });
    },
  }),
  route({
    method: "get",
    path: "/mcp-gateways/:id",
    summary: "One MCP gateway",
    access: "mcpGateway:read",
    async handler(c) {
      return c.json(await gatewayViewOf(c, await findOrgGateway(c, c.req.param("id") ?? "")));
    },
  }),
  route({
    method: "post",
    path: "/mcp-gateways",
    summary: "Create an MCP gateway at /v1/mcp/<slug> over some upstream MCP servers",
    access: "mcpGateway:create",
    body: GatewayInput,
    async handler(c, { body }) {
      const orgId = c.get("user").orgId;
      await checkServerIds(c, body.serverIds);
      await checkTeamIds(c.env, orgId, body.teamIds);
      const now = Date.now();
      const row: McpGateway = {
        id: newId("mcg"),
        orgId,
        slug: body.slug,
        name: body.name,
        description: body.description ?? null,
        createdAt: now,
        updatedAt: now,
      };
      // The slug is claimed first, alone, so a taken one changes nothing.
      const claimed = await db(c.env).insert(mcpGateways).values(row).onConflictDoNothing();
      if (claimed.meta.changes === 0) throw slugTaken(body.slug);
      const [first, ...rest] = linkStatements(c, row.id, body.serverIds, body.teamIds ?? []);
      if (first) await db(c.env).batch([first, ...rest]);
      forgetGatewayCache();
      forgetGatewaySlugs(c.env);
      return c.json(await gatewayViewOf(c, row), 201);
    },
  }),
  route({
    method: "patch",
    path: "/mcp-gateways/:id",
    summary: "Change an MCP gateway's name, description, servers or teams (its slug is fixed)",
    access: "mcpGateway:update",
    body: GatewayPatch,
    async handler(c, { body }) {
      const current = await findOrgGateway(c, c.req.param("id") ?? "");
      if (body.slug !== undefined && body.slug !== current.slug) {
        throw badRequest(
          "slug: a gateway's slug cannot change, because clients hold its URL. Create a new gateway instead.",
          [{ path: "slug", message: "fixed once the gateway is created" }],
        );
      }
      await checkServerIds(c, body.serverIds);
      await checkTeamIds(c.env, current.orgId, body.teamIds);
      const row: McpGateway = {
        ...current,
        ...(body.name !== undefined && { name: body.name }),
        ...(body.description !== undefined && { description: body.description }),
        updatedAt: Math.max(Date.now(), current.updatedAt + 1),
      };
      const d = db(c.env);
      await d.batch([
        d
          .update(mcpGateways)
          .set({ name: row.name, description: row.description, updatedAt: row.updatedAt })
          .where(eq(mcpGateways.id, row.id)),
        ...linkStatements(c, row.id, body.serverIds, body.teamIds),
      ]);
      forgetGatewayCache();
      forgetGatewaySlugs(c.env);
      return c.json(await gatewayViewOf(c, row));
    },
  }),
  route({
    method: "delete",
    path: "/mcp-gateways/:id",
    summary: "Delete an MCP gateway; its URL stops answering at once",
    access: "mcpGateway:delete",
    async handler(c) {
      const gateway = await findOrgGateway(c, c.req.param("id") ?? "");
      const d = db(c.env);
      await d.batch([
        d.delete(mcpGatewayServers).where(eq(mcpGatewayServers.gatewayId, gateway.id)),
        d.delete(mcpGatewayTeams).where(eq(mcpGatewayTeams.gatewayId, gateway.id)),
        d.delete(mcpGateways).where(eq(mcpGateways.id, gateway.id)),
      ]);
      forgetGatewayCache();
      forgetGatewaySlugs(c.env);
      return c.body(null, 204);
    },
  }),
];
