// /api/provider-keys: the organisation's real provider credentials. The secret is encrypted
// on the way in and never leaves again: lists show its last four characters only.

import { and, count, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { llmProxies, providerKeys, virtualKeys } from "../../d1/schema";
import type { ProviderKeyView } from "../../shared/api-types";
import { encryptSecret } from "../../shared/crypto";
import { newId } from "../../shared/ids";
import { config } from "../config";
import { db } from "../db";
import { conflict, notFound } from "../errors";
import { invalidate, providerKeyContext } from "../proxy/lookups";
import { route } from "./route";
import { Name } from "./schemas";

type Row = typeof providerKeys.$inferSelect;

const publicProviderKey = (r: Row): ProviderKeyView => ({
  id: r.id,
  name: r.name,
  provider: r.provider,
  secretLast4: r.secretLast4,
  baseUrl: r.baseUrl,
  createdAt: r.createdAt,
});

const BaseUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .transform((u) => u.replace(/\/+$/, ""));

const Secret = z.string().trim().min(8).max(512);

export const providerKeyRoutes = [
  route({
    method: "get",
    path: "/provider-keys",
    summary: "List provider keys (secrets never included)",
    access: "providerKey:read",
    async handler(c) {
      const rows = await db(c.env)
        .select()
        .from(providerKeys)
        .where(eq(providerKeys.orgId, c.get("user").orgId))
        .orderBy(desc(providerKeys.createdAt));
      return c.json({ data: rows.map(publicProviderKey) });
    },
  }),
  route({
    method: "post",
    path: "/provider-keys",
    summary: "Add a provider key; the secret is encrypted at rest and never returned",
    access: "providerKey:create",
    body: z.object({
      name: Name,
      provider: z.literal("anthropic"),
      secret: Secret,
      baseUrl: BaseUrl.optional(),
    }),
    async handler(c, { body }) {
      const user = c.get("user");
      const id = newId("pk");
      const key = await config(c.env).encryptionKey;
      const row: Row = {
        id,
        orgId: user.orgId,
        name: body.name,
        provider: body.provider,
        secretCiphertext: await encryptSecret(key, body.secret, providerKeyContext(id)),
        secretLast4: body.secret.slice(-4),
        baseUrl: body.baseUrl ?? null,
        createdBy: user.id,
        createdAt: Date.now(),
      };
      await db(c.env).insert(providerKeys).values(row);
      return c.json(publicProviderKey(row), 201);
    },
  }),
  route({
    method: "patch",
    path: "/provider-keys/:id",
    summary: "Rename a provider key, change its base URL, or rotate its secret in place",
    access: "providerKey:update",
    body: z
      .object({
        name: Name,
        secret: Secret,
        baseUrl: BaseUrl.nullable(),
      })
      .partial(),
    async handler(c, { body }) {
      const id = c.req.param("id") ?? "";
      const orgId = c.get("user").orgId;
      const [current] = await db(c.env)
        .select()
        .from(providerKeys)
        .where(and(eq(providerKeys.id, id), eq(providerKeys.orgId, orgId)));
      if (!current) throw notFound("No such provider key.");
      const key = await config(c.env).encryptionKey;
      const row: Row = {
        ...current,
        ...(body.name !== undefined && { name: body.name }),
        ...(body.baseUrl !== undefined && { baseUrl: body.baseUrl }),
        ...(body.secret !== undefined && {
          secretCiphertext: await encryptSecret(key, body.secret, providerKeyContext(id)),
          secretLast4: body.secret.slice(-4),
        }),
      };
      await db(c.env).update(providerKeys).set(row).where(eq(providerKeys.id, id));
      invalidate.providerKey(id);
      return c.json(publicProviderKey(row));
    },
  }),
  route({
    method: "delete",
    path: "/provider-keys/:id",
    summary: "Delete a provider key that no proxy or live virtual key uses",
    access: "providerKey:delete",
    async handler(c) {
      const id = c.req.param("id") ?? "";
      const orgId = c.get("user").orgId;
      const [own] = await db(c.env)
        .select({ id: providerKeys.id })
        .from(providerKeys)
        .where(and(eq(providerKeys.id, id), eq(providerKeys.orgId, orgId)));
      if (!own) throw notFound("No such provider key.");
      const [[proxies], [keys]] = await Promise.all([
        db(c.env).select({ n: count() }).from(llmProxies).where(eq(llmProxies.providerKeyId, id)),
        db(c.env)
          .select({ n: count() })
          .from(virtualKeys)
          .where(and(eq(virtualKeys.providerKeyId, id), isNull(virtualKeys.revokedAt))),
      ]);
      if ((proxies?.n ?? 0) > 0 || (keys?.n ?? 0) > 0) {
        throw conflict(
          `This provider key is in use by ${proxies?.n ?? 0} LLM proxies and ${keys?.n ?? 0} live virtual keys. Move or revoke them first.`,
        );
      }
      // Revoked keys keep their rows for the logs; they let go of the provider key.
      const [, result] = await db(c.env).batch([
        db(c.env)
          .update(virtualKeys)
          .set({ providerKeyId: null })
          .where(and(eq(virtualKeys.providerKeyId, id), eq(virtualKeys.orgId, orgId))),
        db(c.env)
          .delete(providerKeys)
          .where(and(eq(providerKeys.id, id), eq(providerKeys.orgId, orgId))),
      ]);
      if (result.meta.changes === 0) throw notFound("No such provider key.");
      invalidate.providerKey(id);
      return c.body(null, 204);
    },
  }),
];
