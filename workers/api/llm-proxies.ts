// /api/llm-proxies: named entry points for clients, each bound to a provider key, with an
// optional model allow-list. One proxy per organisation is the default, served without an id.
// A proxy may be restricted to teams (llm_proxy_teams; none: everyone may use it).

import { and, asc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Context } from "hono";
import { z } from "zod";
import {
  type LlmProxy,
  llmProxies,
  llmProxyTeams,
  providerKeys,
  teamMembers,
  teams,
  virtualKeys,
} from "../../d1/schema";
import type { LlmProxyView } from "../../shared/api-types";
import { newId } from "../../shared/ids";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { badRequest, forbidden, notFound } from "../errors";
import { invalidate, teamsAllow } from "../proxy/lookups";
import { publicOrigin } from "../public-origin";
import { can } from "./permissions";
import { route } from "./route";
import { Id, Name } from "./schemas";
import { checkTeamIds, TeamIds } from "./teams";
import { revokeKeys } from "./virtual-keys/mint";

const ModelList = z.array(z.string().trim().min(1).max(200)).min(1).max(500);

const ProxyInput = z.object({
  name: Name,
  provider: z.literal("anthropic").default("anthropic"),
  providerKeyId: Id.nullable().optional(),
  /** null or absent: every model. */
  allowedModels: ModelList.nullable().optional(),
  isDefault: z.boolean().optional(),
  allowAnonymous: z.boolean().optional(),
  /** Teams whose members may use the proxy; empty or absent: everyone. */
  teamIds: TeamIds.optional(),
});

export function proxyBaseUrl(origin: string, proxyId: string) {
  return `${origin}/v1/anthropic/${proxyId}`;
}

function publicProxy(c: Context<AppEnv>, r: LlmProxy, teamIds: readonly string[]): LlmProxyView {
  return {
    id: r.id,
    name: r.name,
    provider: r.provider,
    providerKeyId: r.providerKeyId,
    allowedModels: r.allowedModels ?? null,
    isDefault: r.isDefault,
    allowAnonymous: r.allowAnonymous,
    teamIds: [...teamIds],
    baseUrl: proxyBaseUrl(publicOrigin(c), r.id),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

async function checkProviderKey(c: Context<AppEnv>, id: string | null | undefined) {
  if (!id) return;
  const [row] = await db(c.env)
    .select({ id: providerKeys.id })
    .from(providerKeys)
    .where(and(eq(providerKeys.id, id), eq(providerKeys.orgId, c.get("user").orgId)));
  if (!row) throw badRequest("providerKeyId: no such provider key in this organisation.");
}

/** The teams each of these proxies is restricted to (absent: none, open to everyone). */
export async function teamsOfProxies(env: Env, proxyIds: readonly string[]) {
  const byProxy = new Map<string, string[]>();
  if (proxyIds.length === 0) return byProxy;
  const rows = await db(env)
    .select()
    .from(llmProxyTeams)
    .where(inArray(llmProxyTeams.proxyId, [...proxyIds]));
  for (const r of rows) byProxy.set(r.proxyId, [...(byProxy.get(r.proxyId) ?? []), r.teamId]);
  return byProxy;
}

export async function teamsOfUser(env: Env, userId: string): Promise<string[]> {
  const rows = await db(env)
    .select({ teamId: teamMembers.teamId })
    .from(teamMembers)
    .where(eq(teamMembers.userId, userId));
  return rows.map((r) => r.teamId);
}

/** The proxy refuses this user's requests (403), so setting up a connection to it is refused too. */
export async function checkMayUseProxy(env: Env, proxy: LlmProxy, userId: string, who: string) {
  const proxyTeams = (await teamsOfProxies(env, [proxy.id])).get(proxy.id) ?? [];
  if (proxyTeams.length === 0) return;
  if (!teamsAllow(proxyTeams, await teamsOfUser(env, userId))) {
    throw forbidden(`${who} not a member of a team allowed to use this LLM proxy.`);
  }
}

export async function findOrgProxy(c: Context<AppEnv>, id: string): Promise<LlmProxy> {
  const [row] = await db(c.env)
    .select()
    .from(llmProxies)
    .where(and(eq(llmProxies.id, id), eq(llmProxies.orgId, c.get("user").orgId)));
  if (!row) throw notFound("No such LLM proxy.");
  return row;
}

/**
 * Writes a proxy, in one batch with unsetting the previous default (when it becomes the
 * default) and replacing its teams (when given). A team deleted since it was checked is
 * skipped rather than failing the batch.
 */
async function saveProxy(
  c: Context<AppEnv>,
  row: LlmProxy,
  isNew: boolean,
  teamIds: readonly string[] | undefined,
) {
  const orgId = c.get("user").orgId;
  const d = db(c.env);
  const write = isNew
    ? d.insert(llmProxies).values(row)
    : d.update(llmProxies).set(row).where(eq(llmProxies.id, row.id));
  const unsetOthers = row.isDefault
    ? [
        d
          .update(llmProxies)
          .set({ isDefault: false })
          .where(and(eq(llmProxies.orgId, orgId), ne(llmProxies.id, row.id))),
      ]
    : [];
  const setTeams =
    teamIds === undefined
      ? []
      : [
          d.delete(llmProxyTeams).where(eq(llmProxyTeams.proxyId, row.id)),
          ...(teamIds.length > 0
            ? [
                d.insert(llmProxyTeams).select(
                  d
                    .select({
                      proxyId: sql<string>`${row.id}`.as("proxy_id"),
                      teamId: teams.id,
                      orgId: teams.orgId,
                    })
                    .from(teams)
                    .where(and(eq(teams.orgId, orgId), inArray(teams.id, [...teamIds]))),
                ),
              ]
            : []),
        ];
  const [first, ...rest]: BatchItem<"sqlite">[] = [...unsetOthers, write, ...setTeams];
  if (first) await d.batch([first, ...rest]);
  invalidate.proxy(row.id);
  invalidate.defaultProxy(orgId);
}

export const llmProxyRoutes = [
  route({
    method: "get",
    path: "/llm-proxies",
    summary: "List LLM proxies",
    access: "llmProxy:read",
    async handler(c) {
      const user = c.get("user");
      const rows = await db(c.env)
        .select()
        .from(llmProxies)
        .where(eq(llmProxies.orgId, user.orgId))
        .orderBy(asc(llmProxies.createdAt));
      const byProxy = await teamsOfProxies(
        c.env,
        rows.map((r) => r.id),
      );
      // Those who cannot change proxies see the ones they may use, as the Connect page needs.
      const mine = can(user, "llmProxy:update") ? null : await teamsOfUser(c.env, user.id);
      const visible = rows.filter((r) => !mine || teamsAllow(byProxy.get(r.id) ?? [], mine));
      return c.json({ data: visible.map((r) => publicProxy(c, r, byProxy.get(r.id) ?? [])) });
    },
  }),
  route({
    method: "get",
    path: "/llm-proxies/:id",
    summary: "One LLM proxy",
    access: "llmProxy:read",
    async handler(c) {
      const user = c.get("user");
      const proxy = await findOrgProxy(c, c.req.param("id") ?? "");
      const proxyTeams = (await teamsOfProxies(c.env, [proxy.id])).get(proxy.id) ?? [];
      if (
        !can(user, "llmProxy:update") &&
        !teamsAllow(proxyTeams, await teamsOfUser(c.env, user.id))
      ) {
        throw notFound("No such LLM proxy.");
      }
      return c.json(publicProxy(c, proxy, proxyTeams));
    },
  }),
  route({
    method: "post",
    path: "/llm-proxies",
    summary: "Create an LLM proxy (the organisation's first one becomes the default)",
    access: "llmProxy:create",
    body: ProxyInput,
    async handler(c, { body }) {
      await checkProviderKey(c, body.providerKeyId);
      await checkTeamIds(c.env, c.get("user").orgId, body.teamIds);
      const orgId = c.get("user").orgId;
      const [existing] = await db(c.env)
        .select({ id: llmProxies.id })
        .from(llmProxies)
        .where(eq(llmProxies.orgId, orgId))
        .limit(1);
      const now = Date.now();
      const row: LlmProxy = {
        id: newId("prx"),
        orgId,
        name: body.name,
        provider: body.provider,
        providerKeyId: body.providerKeyId ?? null,
        allowedModels: body.allowedModels ?? null,
        // An organisation's first proxy is its default, whatever was asked.
        isDefault: !existing || (body.isDefault ?? false),
        allowAnonymous: body.allowAnonymous ?? false,
        createdAt: now,
        updatedAt: now,
      };
      await saveProxy(c, row, true, body.teamIds ?? []);
      return c.json(publicProxy(c, row, body.teamIds ?? []), 201);
    },
  }),
  route({
    method: "patch",
    path: "/llm-proxies/:id",
    summary: "Update an LLM proxy",
    access: "llmProxy:update",
    body: ProxyInput.partial().omit({ provider: true }),
    async handler(c, { body }) {
      const current = await findOrgProxy(c, c.req.param("id") ?? "");
      if (body.providerKeyId !== undefined) await checkProviderKey(c, body.providerKeyId);
      await checkTeamIds(c.env, c.get("user").orgId, body.teamIds);
      if (body.isDefault === false && current.isDefault) {
        throw badRequest("isDefault: make another proxy the default instead.");
      }
      const row: LlmProxy = {
        ...current,
        ...(body.name !== undefined && { name: body.name }),
        ...(body.providerKeyId !== undefined && { providerKeyId: body.providerKeyId }),
        ...(body.allowedModels !== undefined && { allowedModels: body.allowedModels }),
        ...(body.isDefault !== undefined && { isDefault: body.isDefault }),
        ...(body.allowAnonymous !== undefined && { allowAnonymous: body.allowAnonymous }),
        updatedAt: Date.now(),
      };
      await saveProxy(c, row, false, body.teamIds);
      const proxyTeams = (await teamsOfProxies(c.env, [row.id])).get(row.id) ?? [];
      return c.json(publicProxy(c, row, proxyTeams));
    },
  }),
  route({
    method: "delete",
    path: "/llm-proxies/:id",
    summary:
      "Delete an LLM proxy; its Connection keys are revoked, and if it was the default the oldest remaining proxy becomes the default",
    access: "llmProxy:delete",
    async handler(c) {
      const proxy = await findOrgProxy(c, c.req.param("id") ?? "");
      const connectionKeys = await db(c.env)
        .select()
        .from(virtualKeys)
        .where(and(eq(virtualKeys.connectionProxyId, proxy.id), isNull(virtualKeys.revokedAt)));
      // Revoked at their owners' gates too, so they stop at once on every other proxy.
      await revokeKeys(c.env, connectionKeys);
      const oldestOther = db(c.env)
        .select({ id: llmProxies.id })
        .from(llmProxies)
        .where(and(eq(llmProxies.orgId, proxy.orgId), ne(llmProxies.id, proxy.id)))
        .orderBy(asc(llmProxies.createdAt))
        .limit(1);
      const remove = db(c.env).delete(llmProxies).where(eq(llmProxies.id, proxy.id));
      const forgetTeams = db(c.env)
        .delete(llmProxyTeams)
        .where(eq(llmProxyTeams.proxyId, proxy.id));
      if (proxy.isDefault) {
        await db(c.env).batch([
          forgetTeams,
          remove,
          db(c.env)
            .update(llmProxies)
            .set({ isDefault: true })
            .where(inArray(llmProxies.id, oldestOther)),
        ]);
      } else {
        await db(c.env).batch([forgetTeams, remove]);
      }
      invalidate.proxy(proxy.id);
      invalidate.defaultProxy(proxy.orgId);
      return c.body(null, 204);
    },
  }),
];
