// /api/users: the organisation's people. An admin creates accounts with a first password here,
// or invites people (members/invitations.ts); deactivation and password-reset links live in
// members/ too.

import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "../../d1/schema";
import type { MemberView } from "../../shared/api-types";
import { hashPassword } from "../../shared/crypto";
import { newId } from "../../shared/ids";
import { db } from "../db";
import { conflict, notFound } from "../errors";
import { BUILT_IN_ROLES, isBuiltInRole } from "./permissions";
import { assignableRole, checkGrantable, lookupRole, unknownRole } from "./role-store";
import { route } from "./route";
import { Email, Name, Password } from "./schemas";

type Row = typeof users.$inferSelect;

export const publicMember = (u: Row): MemberView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  status: u.status,
  createdAt: u.createdAt,
});

export const RoleRef = z
  .string()
  .trim()
  .refine(
    (r) => isBuiltInRole(r) || /^rol_[0-9a-z]{1,60}$/.test(r),
    `a built-in role (${BUILT_IN_ROLES.join(", ")}) or a custom role's id (rol_…)`,
  );

export const LAST_ADMIN =
  "This would leave the organisation without an active admin. Make someone else an admin first.";

/**
 * Sets a user's role in one statement that also re-checks, at write time, that a custom role
 * still exists and that another active admin remains: two admins demoting each other at once
 * cannot both succeed.
 */
async function writeRole(env: Env, target: Row, role: string): Promise<boolean> {
  const builtIns = BUILT_IN_ROLES.map(() => "?").join(", ");
  const result = await env.DB.prepare(
    `UPDATE users SET role = ?
     WHERE id = ? AND org_id = ?
       AND (? IN (${builtIns}) OR EXISTS (SELECT 1 FROM roles WHERE id = ? AND org_id = ?))
       AND (? = 'admin' OR users.role != 'admin' OR users.status != 'active'
            OR EXISTS (SELECT 1 FROM users AS other WHERE other.org_id = ? AND other.id != ?
                         AND other.role = 'admin' AND other.status = 'active'))`,
  )
    .bind(
      role,
      target.id,
      target.orgId,
      role,
      ...BUILT_IN_ROLES,
      role,
      target.orgId,
      role,
      target.orgId,
      target.id,
    )
    .run();
  return result.meta.changes > 0;
}

export const userRoutes = [
  route({
    method: "get",
    path: "/users",
    summary: "List the organisation's users",
    access: "member:read",
    async handler(c) {
      const rows = await db(c.env)
        .select()
        .from(users)
        .where(eq(users.orgId, c.get("user").orgId))
        .orderBy(asc(users.email));
      return c.json({ data: rows.map(publicMember) });
    },
  }),
  route({
    method: "post",
    path: "/users",
    summary: "Create a user with a first password and a built-in or custom role",
    access: "member:create",
    body: z.object({ email: Email, name: Name, role: RoleRef, password: Password }),
    async handler(c, { body }) {
      const caller = c.get("user");
      checkGrantable(caller, await assignableRole(c.env, caller.orgId, body.role));
      const row: Row = {
        id: newId("usr"),
        orgId: caller.orgId,
        email: body.email,
        name: body.name,
        role: body.role,
        passwordHash: await hashPassword(body.password),
        status: "active",
        createdAt: Date.now(),
        deactivatedAt: null,
        origin: "password",
        oidcSubject: null,
        lastSignInAt: null,
      };
      const result = await db(c.env).insert(users).values(row).onConflictDoNothing();
      if (result.meta.changes === 0) throw conflict("A user with this email already exists.");
      return c.json(publicMember(row), 201);
    },
  }),
  route({
    method: "patch",
    path: "/users/:id",
    summary: "Rename a user or change their role (never leaving the organisation without an admin)",
    access: "member:update",
    body: z
      .object({ name: Name.optional(), role: RoleRef.optional() })
      .refine((b) => b.name !== undefined || b.role !== undefined, "give a name or a role"),
    async handler(c, { body }) {
      const caller = c.get("user");
      const where = and(eq(users.id, c.req.param("id") ?? ""), eq(users.orgId, caller.orgId));
      const [target] = await db(c.env).select().from(users).where(where);
      if (!target) throw notFound("No such user.");
      if (body.role !== undefined && body.role !== target.role) {
        const next = await assignableRole(c.env, caller.orgId, body.role);
        const current = (await lookupRole(c.env, caller.orgId, target.role)) ?? [];
        checkGrantable(caller, [...current, ...next]);
        if (!(await writeRole(c.env, target, body.role))) {
          // The role may have been deleted meanwhile; otherwise the admin check refused it.
          if (!(await lookupRole(c.env, caller.orgId, body.role))) throw unknownRole(body.role);
          throw conflict(LAST_ADMIN);
        }
      }
      if (body.name !== undefined) {
        await db(c.env).update(users).set({ name: body.name }).where(where);
      }
      const [updated] = await db(c.env).select().from(users).where(where);
      if (!updated) throw notFound("No such user.");
      return c.json(publicMember(updated));
    },
  }),
];
