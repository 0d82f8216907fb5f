// /api/llm-proxies: named entry points for clients, each bound to a provider key, with an
// optional model allow-list. One proxy per organisation is the default, served without an id.

import { and, asc, eq, inArray, isNull, ne } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { type LlmProxy, llmProxies, providerKeys, virtualKeys } from "../../d1/schema";
import type { LlmProxyView } from "../../shared/api-types";
import { newId } from "../../shared/ids";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { badRequest, notFound } from "../errors";
import { invalidate } from "../proxy/lookups";
import { publicOrigin } from "../public-origin";
import { route } from "./route";
import { Id, Name } from "./schemas";
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
});

export function proxyBaseUrl(origin: string, proxyId: string) {
  return `${origin}/v1/anthropic/${proxyId}`;
}

function publicProxy(c: Context<AppEnv>, r: LlmProxy): LlmProxyView {
  return {
    id: r.id,
    name: r.name,
    provider: r.provider,
    providerKeyId: r.providerKeyId,
    allowedModels: r.allowedModels ?? null,
    isDefault: r.isDefault,
    allowAnonymous: r.allowAnonymous,
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

export async function findOrgProxy(c: Context<AppEnv>, id: string): Promise<LlmProxy> {
  const [row] = await db(c.env)
    .select()
    .from(llmProxies)
    .where(and(eq(llmProxies.id, id), eq(llmProxies.orgId, c.get("user").orgId)));
  if (!row) throw notFound("No such LLM proxy.");
  return row;
}

/** Writes a proxy; making it the default unsets the previous default in the same batch. */
async function saveProxy(c: Context<AppEnv>, row: LlmProxy, isNew: boolean) {
  const orgId = c.get("user").orgId;
  const write = isNew
    ? db(c.env).insert(llmProxies).values(row)
    : db(c.env).update(llmProxies).set(row).where(eq(llmProxies.id, row.id));
  if (row.isDefault) {
    const unsetOthers = db(c.env)
      .update(llmProxies)
      .set({ isDefault: false })
      .where(and(eq(llmProxies.orgId, orgId), ne(llmProxies.id, row.id)));
    await db(c.env).batch([unsetOthers, write]);
  } else {
    await write;
  }
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
      const rows = await db(c.env)
        .select()
        .from(llmProxies)
        .where(eq(llmProxies.orgId, c.get("user").orgId))
        .orderBy(asc(llmProxies.createdAt));
      return c.json({ data: rows.map((r) => publicProxy(c, r)) });
    },
  }),
  route({
    method: "get",
    path: "/llm-proxies/:id",
    summary: "One LLM proxy",
    access: "llmProxy:read",
    async handler(c) {
      return c.json(publicProxy(c, await findOrgProxy(c, c.req.param("id") ?? "")));
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
      await saveProxy(c, row, true);
      return c.json(publicProxy(c, row), 201);
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
      await saveProxy(c, row, false);
      return c.json(publicProxy(c, row));
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
      if (proxy.isDefault) {
        await db(c.env).batch([
          remove,
          db(c.env)
            .update(llmProxies)
            .set({ isDefault: true })
            .where(inArray(llmProxies.id, oldestOther)),
        ]);
      } else {
        await remove;
      }
      invalidate.proxy(proxy.id);
      invalidate.defaultProxy(proxy.orgId);
      return c.body(null, 204);
    },
  }),
];
