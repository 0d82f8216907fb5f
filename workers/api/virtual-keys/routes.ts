// /api/virtual-keys: list, create, reveal (owner only), revoke.
import { and, desc, eq, isNull, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { providerKeys, users, type VirtualKey, virtualKeys } from "../../../d1/schema";
import type { AppEnv } from "../../app-env";
import { db } from "../../db";
import { badRequest, forbidden, notFound } from "../../errors";
import { can } from "../permissions";
import { route } from "../route";
import { FutureTime, Id, Name } from "../schemas";
import { mintKey, publicKey, revealToken, revokeKeys } from "./mint";

type Ctx = Context<AppEnv>;

async function findUserInOrg(c: Ctx, userId: string) {
  const [row] = await db(c.env)
    .select()
    .from(users)
    .where(and(eq(users.id, userId), eq(users.orgId, c.get("user").orgId)));
  if (!row) throw badRequest("ownerUserId: no such user in this organisation.");
  return row;
}

async function findKey(c: Ctx, id: string): Promise<VirtualKey> {
  const [row] = await db(c.env)
    .select()
    .from(virtualKeys)
    .where(and(eq(virtualKeys.id, id), eq(virtualKeys.orgId, c.get("user").orgId)));
  const user = c.get("user");
  // Someone else's key is "not found" to a caller who may not see it.
  if (!row || (row.ownerUserId !== user.id && !can(user, "llmVirtualKey:admin"))) {
    throw notFound("No such virtual key.");
  }
  return row;
}

const CreateKey = z
  .object({
    name: Name,
    kind: z.enum(["standard", "passthrough"]),
    ownerUserId: Id.optional(),
    providerKeyId: Id.optional(),
    expiresAt: FutureTime.optional(),
  })
  .refine((k) => k.kind === "passthrough" || k.providerKeyId, {
    path: ["providerKeyId"],
    message: "a standard key needs the provider key it stands for",
  })
  .refine((k) => k.kind === "standard" || !k.providerKeyId, {
    path: ["providerKeyId"],
    message: "a passthrough key carries no provider key",
  });

export const virtualKeyRoutes = [
  route({
    method: "get",
    path: "/virtual-keys",
    summary: "List virtual keys (prefix only); admins see everyone's and may filter by owner",
    access: "llmVirtualKey:read",
    query: z.object({
      ownerUserId: Id.optional(),
      kind: z.enum(["standard", "passthrough"]).optional(),
      includeRevoked: z.enum(["true", "false"]).default("false"),
    }),
    async handler(c, { query }) {
      const user = c.get("user");
      const admin = can(user, "llmVirtualKey:admin");
      const owner = admin ? query.ownerUserId : user.id;
      const where: SQL[] = [eq(virtualKeys.orgId, user.orgId)];
      if (owner) where.push(eq(virtualKeys.ownerUserId, owner));
      if (query.kind) where.push(eq(virtualKeys.kind, query.kind));
      if (query.includeRevoked === "false") where.push(isNull(virtualKeys.revokedAt));
      const rows = await db(c.env)
        .select({ key: virtualKeys, email: users.email, name: users.name })
        .from(virtualKeys)
        .innerJoin(users, eq(users.id, virtualKeys.ownerUserId))
        .where(and(...where))
        .orderBy(desc(virtualKeys.createdAt));
      return c.json({ data: rows.map((r) => publicKey(r.key, r)) });
    },
  }),
  route({
    method: "post",
    path: "/virtual-keys",
    summary: "Create a standard or passthrough key; the token is in this response only",
    access: "llmVirtualKey:create",
    body: CreateKey,
    async handler(c, { body }) {
      const user = c.get("user");
      const ownerUserId = body.ownerUserId ?? user.id;
      if (ownerUserId !== user.id && !can(user, "llmVirtualKey:admin")) {
        throw forbidden("Only admins can create keys for other people.");
      }
      const owner = await findUserInOrg(c, ownerUserId);
      if (body.providerKeyId) {
        const [pk] = await db(c.env)
          .select({ id: providerKeys.id })
          .from(providerKeys)
          .where(and(eq(providerKeys.id, body.providerKeyId), eq(providerKeys.orgId, user.orgId)));
        if (!pk) throw badRequest("providerKeyId: no such provider key in this organisation.");
      }
      const minted = await mintKey(c.env, {
        orgId: user.orgId,
        name: body.name,
        kind: body.kind,
        ownerUserId,
        providerKeyId: body.providerKeyId ?? null,
        expiresAt: body.expiresAt ?? null,
        createdBy: user.id,
      });
      if (!minted) throw new Error("a plain virtual key insert reported a conflict");
      return c.json({ token: minted.token, ...publicKey(minted.row, owner) }, 201);
    },
  }),
  route({
    method: "post",
    path: "/virtual-keys/:id/reveal",
    summary: "Show the token again, to its owner only",
    access: "llmVirtualKey:read",
    async handler(c) {
      const row = await findKey(c, c.req.param("id") ?? "");
      if (row.ownerUserId !== c.get("user").id) {
        throw forbidden("Only the key's owner can reveal it.");
      }
      if (row.revokedAt) throw badRequest("This key is revoked.");
      return c.json({ id: row.id, token: await revealToken(c.env, row) });
    },
  }),
  route({
    method: "delete",
    path: "/virtual-keys/:id",
    summary: "Revoke a key: the next request with it gets 401",
    access: "llmVirtualKey:read",
    async handler(c) {
      const row = await findKey(c, c.req.param("id") ?? "");
      if (!row.revokedAt) await revokeKeys(c.env, [row]);
      return c.body(null, 204);
    },
  }),
];
