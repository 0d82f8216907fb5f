// Teams: named groups of the organisation's people. LLM proxies can be restricted to teams
// (llm_proxy_teams); the proxy's hot path reads memberships from its cached key records, so
// every membership change here drops this isolate's cached key records at once (other
// isolates see it within the cache's five seconds).

import { and, asc, count, eq, inArray } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { llmProxyTeams, mcpGatewayTeams, teamMembers, teams, users } from "../../d1/schema";
import type { TeamDetail, TeamView } from "../../shared/api-types";
import { newId } from "../../shared/ids";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { badRequest, conflict, notFound } from "../errors";
import { forgetGatewayCache } from "../mcp/gateway-cache";
import { invalidate } from "../proxy/lookups";
import { route } from "./route";
import { Id, Name } from "./schemas";

type Ctx = Context<AppEnv>;
type Team = typeof teams.$inferSelect;

const Description = z.string().trim().max(500).nullable();
const NAME_TAKEN = "A team with this name already exists (names are compared ignoring case).";

const teamView = (t: Team, memberCount: number): TeamView => ({
  id: t.id,
  name: t.name,
  description: t.description,
  memberCount,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});

async function findOrgTeam(c: Ctx, id: string): Promise<Team> {
  const [row] = await db(c.env)
    .select()
    .from(teams)
    .where(and(eq(teams.id, id), eq(teams.orgId, c.get("user").orgId)));
  if (!row) throw notFound("No such team.");
  return row;
}

async function teamDetail(c: Ctx, team: Team): Promise<TeamDetail> {
  const [members, proxies] = await Promise.all([
    db(c.env)
      .select({
        userId: users.id,
        email: users.email,
        name: users.name,
        role: users.role,
        status: users.status,
        addedAt: teamMembers.addedAt,
      })
      .from(teamMembers)
      .innerJoin(users, eq(users.id, teamMembers.userId))
      .where(eq(teamMembers.teamId, team.id))
      .orderBy(asc(users.email)),
    db(c.env)
      .select({ id: llmProxyTeams.proxyId })
      .from(llmProxyTeams)
      .where(eq(llmProxyTeams.teamId, team.id)),
  ]);
  return {
    ...teamView(team, members.length),
    members,
    llmProxyIds: proxies.map((p) => p.id),
  };
}

/** Every id names a team of this organisation, or the input is refused naming `teamIds`. */
export async function checkTeamIds(env: Env, orgId: string, ids: readonly string[] | undefined) {
  if (!ids || ids.length === 0) return;
  const found = await db(env)
    .select({ id: teams.id })
    .from(teams)
    .where(and(inArray(teams.id, [...ids]), eq(teams.orgId, orgId)));
  const known = new Set(found.map((t) => t.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw badRequest(`teamIds: no such team in this organisation: ${missing.join(", ")}.`, [
      { path: "teamIds", message: "no such team in this organisation" },
    ]);
  }
}

/** A list of team ids in a request body: deduplicated, bounded. */
export const TeamIds = z
  .array(Id)
  .max(100)
  .transform((ids) => [...new Set(ids)]);

const isUniqueViolation = (err: unknown) =>
  err instanceof Error && /UNIQUE constraint failed/i.test(`${err.message} ${String(err.cause)}`);

export const teamRoutes = [
  route({
    method: "get",
    path: "/teams",
    summary: "List the organisation's teams with their member counts",
    access: "team:read",
    async handler(c) {
      const orgId = c.get("user").orgId;
      const [rows, counts] = await Promise.all([
        db(c.env).select().from(teams).where(eq(teams.orgId, orgId)).orderBy(asc(teams.name)),
        db(c.env)
          .select({ teamId: teamMembers.teamId, n: count() })
          .from(teamMembers)
          .where(eq(teamMembers.orgId, orgId))
          .groupBy(teamMembers.teamId),
      ]);
      const byTeam = new Map(counts.map((r) => [r.teamId, r.n]));
      return c.json({ data: rows.map((t) => teamView(t, byTeam.get(t.id) ?? 0)) });
    },
  }),
  route({
    method: "get",
    path: "/teams/:id",
    summary: "One team with its members",
    access: "team:read",
    async handler(c) {
      return c.json(await teamDetail(c, await findOrgTeam(c, c.req.param("id") ?? "")));
    },
  }),
  route({
    method: "post",
    path: "/teams",
    summary: "Create a team (names are unique in the organisation, ignoring case)",
    access: "team:create",
    body: z.object({ name: Name, description: Description.optional() }),
    async handler(c, { body }) {
      const now = Date.now();
      const row: Team = {
        id: newId("team"),
        orgId: c.get("user").orgId,
        name: body.name,
        description: body.description ?? null,
        createdAt: now,
        updatedAt: now,
      };
      const result = await db(c.env).insert(teams).values(row).onConflictDoNothing();
      if (result.meta.changes === 0) throw conflict(NAME_TAKEN);
      return c.json(teamView(row, 0), 201);
    },
  }),
  route({
    method: "patch",
    path: "/teams/:id",
    summary: "Rename a team or change its description",
    access: "team:update",
    body: z
      .object({ name: Name.optional(), description: Description.optional() })
      .refine((b) => b.name !== undefined || b.description !== undefined, {
        message: "give a name or a description",
      }),
    async handler(c, { body }) {
      const team = await findOrgTeam(c, c.req.param("id") ?? "");
      const updated: Team = {
        ...team,
        ...(body.name !== undefined && { name: body.name }),
        ...(body.description !== undefined && { description: body.description }),
        updatedAt: Date.now(),
      };
      try {
        await db(c.env)
          .update(teams)
          .set({
            name: updated.name,
            description: updated.description,
            updatedAt: updated.updatedAt,
          })
          .where(eq(teams.id, team.id));
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(NAME_TAKEN);
        throw err;
      }
      return c.json(await teamDetail(c, updated));
    },
  }),
  route({
    method: "delete",
    path: "/teams/:id",
    summary:
      "Delete a team, its memberships, and its place on the proxies and MCP gateways restricted to it (one left with no team is open to everyone)",
    access: "team:delete",
    async handler(c) {
      const team = await findOrgTeam(c, c.req.param("id") ?? "");
      const restricted = await db(c.env)
        .select({ id: llmProxyTeams.proxyId })
        .from(llmProxyTeams)
        .where(eq(llmProxyTeams.teamId, team.id));
      await db(c.env).batch([
        db(c.env).delete(teamMembers).where(eq(teamMembers.teamId, team.id)),
        db(c.env).delete(llmProxyTeams).where(eq(llmProxyTeams.teamId, team.id)),
        db(c.env).delete(mcpGatewayTeams).where(eq(mcpGatewayTeams.teamId, team.id)),
        db(c.env).delete(teams).where(eq(teams.id, team.id)),
      ]);
      forgetGatewayCache();
      for (const p of restricted) invalidate.proxy(p.id);
      invalidate.allKeys();
      return c.body(null, 204);
    },
  }),
  route({
    method: "post",
    path: "/teams/:id/members",
    summary: "Add a user of the organisation to a team (adding a member again changes nothing)",
    access: "team:update",
    audit: { resource: "team", action: "members.create" },
    body: z.object({ userId: Id }),
    async handler(c, { body }) {
      const team = await findOrgTeam(c, c.req.param("id") ?? "");
      // Conditional on both rows existing at write time, so a team deleted meanwhile is a 404,
      // never a foreign-key failure.
      const result = await c.env.DB.prepare(
        `INSERT INTO team_members (team_id, user_id, org_id, added_at)
         SELECT teams.id, users.id, teams.org_id, ?
         FROM teams JOIN users ON users.id = ? AND users.org_id = teams.org_id
         WHERE teams.id = ? AND teams.org_id = ?
         ON CONFLICT (team_id, user_id) DO NOTHING`,
      )
        .bind(Date.now(), body.userId, team.id, team.orgId)
        .run();
      if (result.meta.changes === 0) await explainNoMembership(c, team, body.userId);
      invalidate.allKeys();
      return c.json(await teamDetail(c, team), 201);
    },
  }),
  route({
    method: "delete",
    path: "/teams/:id/members/:userId",
    summary: "Remove a user from a team",
    access: "team:update",
    async handler(c) {
      const team = await findOrgTeam(c, c.req.param("id") ?? "");
      const gone = await db(c.env)
        .delete(teamMembers)
        .where(
          and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, c.req.param("userId") ?? "")),
        )
        .returning({ userId: teamMembers.userId });
      if (gone.length === 0) throw notFound("This user is not a member of the team.");
      invalidate.allKeys();
      return c.body(null, 204);
    },
  }),
];

/** Nothing was inserted: already a member (fine), no such user, or the team went away. */
async function explainNoMembership(c: Ctx, team: Team, userId: string) {
  const [user] = await db(c.env)
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.orgId, team.orgId)));
  if (!user) {
    throw badRequest("userId: no such user in this organisation.", [
      { path: "userId", message: "no such user in this organisation" },
    ]);
  }
  await findOrgTeam(c, team.id);
}
