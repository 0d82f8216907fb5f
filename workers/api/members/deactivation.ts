// Deactivating a member stops everything of theirs on the next request: sessions are deleted,
// API tokens stop (session.ts admits active users only), and every virtual key stops because
// the user's gate Durable Object, asked on every proxied request, is told first, before D1 and
// whatever isolates still cache. Reactivation lifts it; revoked keys stay revoked.
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { type User, users } from "../../../d1/schema";
import type { AppEnv } from "../../app-env";
import { db } from "../../db";
import { conflict, notFound } from "../../errors";
import { userGate } from "../../limits/gates";
import { invalidate } from "../../proxy/lookups";
import { route } from "../route";
import { LAST_ADMIN, publicMember } from "../users";
import { checkMayActOn, findOrgUser } from "./target-user";

type Ctx = Context<AppEnv>;

const gateOf = (env: Env, userId: string) => userGate(env, `user:${userId}`);

async function isLastActiveAdmin(env: Env, target: User): Promise<boolean> {
  if (target.role !== "admin" || target.status !== "active") return false;
  const other = await env.DB.prepare(
    `SELECT 1 FROM users WHERE org_id = ? AND id != ? AND role = 'admin' AND status = 'active' LIMIT 1`,
  )
    .bind(target.orgId, target.id)
    .first();
  return other === null;
}

async function deactivate(c: Ctx, target: User) {
  const now = Date.now();
  // The admin check is repeated in the write, so two admins deactivating each other at once
  // cannot both succeed.
  const [update] = await c.env.DB.batch([
    c.env.DB.prepare(
      `UPDATE users SET status = 'deactivated', deactivated_at = ?
       WHERE id = ? AND org_id = ? AND status = 'active'
         AND (role != 'admin' OR EXISTS (SELECT 1 FROM users AS other
               WHERE other.org_id = users.org_id AND other.id != users.id
                 AND other.role = 'admin' AND other.status = 'active'))`,
    ).bind(now, target.id, target.orgId),
    c.env.DB.prepare(
      `DELETE FROM sessions WHERE user_id = ?
         AND EXISTS (SELECT 1 FROM users WHERE id = ? AND status = 'deactivated')`,
    ).bind(target.id, target.id),
  ]);
  if ((update?.meta.changes ?? 0) > 0) return true;
  // Nothing changed: already deactivated (by us earlier, or a concurrent call), or refused.
  const [current] = await db(c.env)
    .select({ status: users.status })
    .from(users)
    .where(eq(users.id, target.id));
  return current?.status === "deactivated";
}

async function reloaded(c: Ctx, id: string) {
  const [row] = await db(c.env).select().from(users).where(eq(users.id, id));
  if (!row) throw notFound("No such user.");
  return publicMember(row);
}

export const deactivationRoutes = [
  route({
    method: "post",
    path: "/users/:id/deactivate",
    summary:
      "Deactivate a user: their sessions end, their API tokens and virtual keys stop on the next request",
    access: "member:update",
    async handler(c) {
      const target = await findOrgUser(c, c.req.param("id") ?? "");
      if (target.id === c.get("user").id) {
        throw conflict("You cannot deactivate yourself. Ask another admin.");
      }
      await checkMayActOn(c, target, "deactivate");
      if (await isLastActiveAdmin(c.env, target)) throw conflict(LAST_ADMIN);
      // The gate first: from this moment on no key of theirs is admitted, whatever is cached.
      await gateOf(c.env, target.id).setDeactivated(true);
      if (!(await deactivate(c, target))) {
        // Another admin was deactivated meanwhile and this one is now the last.
        await gateOf(c.env, target.id).setDeactivated(false);
        throw conflict(LAST_ADMIN);
      }
      invalidate.allKeys();
      return c.json(await reloaded(c, target.id));
    },
  }),
  route({
    method: "post",
    path: "/users/:id/reactivate",
    summary: "Reactivate a deactivated user: they can sign in again and their keys work again",
    access: "member:update",
    async handler(c) {
      const target = await findOrgUser(c, c.req.param("id") ?? "");
      await checkMayActOn(c, target, "reactivate");
      await db(c.env)
        .update(users)
        .set({ status: "active", deactivatedAt: null })
        .where(eq(users.id, target.id));
      // Also when D1 already says active: a gate left deactivated by a failed call is cleared.
      await gateOf(c.env, target.id).setDeactivated(false);
      invalidate.allKeys();
      return c.json(await reloaded(c, target.id));
    },
  }),
];
