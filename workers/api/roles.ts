// /api/roles: the built-in roles (read only) and the organisation's custom roles. A change to
// a custom role applies to its holders on their next request, since every request resolves
// the caller's permissions afresh (see auth/session.ts).
import { and, asc, count, eq } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { type Role, roles, users } from "../../d1/schema";
import { newId } from "../../shared/ids";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { badRequest, conflict, notFound } from "../errors";
import { isBuiltInRole, isPermission, PERMISSIONS, type Permission } from "./permissions";
import { builtInRoleViews, checkGrantable, customRoleView, findCustomRole } from "./role-store";
import { route } from "./route";
import { Name } from "./schemas";

type Ctx = Context<AppEnv>;

const RoleName = Name.refine(
  (name) => !isBuiltInRole(name.toLowerCase()),
  "is the name of a built-in role; choose another",
);

const Description = z.string().trim().max(500).nullable();

const PermissionList = z
  .array(z.string())
  .max(PERMISSIONS.length * 2)
  .superRefine((names, ctx) => {
    const unknown = [...new Set(names.filter((n) => !isPermission(n)))];
    if (unknown.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `unknown permission${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`,
      });
    }
  })
  .transform((names) => [...new Set(names)] as Permission[]);

function refuseBuiltIn(id: string, what: "changed" | "deleted") {
  if (isBuiltInRole(id)) {
    throw badRequest(
      `'${id}' is a built-in role and cannot be ${what}. Create a custom role instead.`,
    );
  }
}

async function findOrgRole(c: Ctx, id: string): Promise<Role> {
  const row = await findCustomRole(c.env, c.get("user").orgId, id);
  if (!row) throw notFound("No such role.");
  return row;
}

const duplicateName = (name: string) =>
  conflict(`A role named '${name}' already exists in this organisation.`);

function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.message.includes("UNIQUE constraint failed")) return true;
  }
  return false;
}

export const roleRoutes = [
  route({
    method: "get",
    path: "/roles",
    summary: "List the built-in roles and the organisation's custom roles",
    access: "role:read",
    async handler(c) {
      const rows = await db(c.env)
        .select()
        .from(roles)
        .where(eq(roles.orgId, c.get("user").orgId))
        .orderBy(asc(roles.name));
      return c.json({ data: [...builtInRoleViews(), ...rows.map(customRoleView)] });
    },
  }),
  route({
    method: "post",
    path: "/roles",
    summary: "Create a custom role from a list of permissions",
    access: "role:create",
    body: z.object({
      name: RoleName,
      description: Description.optional(),
      permissions: PermissionList,
    }),
    async handler(c, { body }) {
      checkGrantable(c.get("user"), body.permissions);
      const now = Date.now();
      const row: Role = {
        id: newId("rol"),
        orgId: c.get("user").orgId,
        name: body.name,
        description: body.description ?? null,
        permissions: body.permissions,
        createdAt: now,
        updatedAt: now,
      };
      const result = await db(c.env).insert(roles).values(row).onConflictDoNothing();
      if (result.meta.changes === 0) throw duplicateName(body.name);
      return c.json(customRoleView(row), 201);
    },
  }),
  route({
    method: "patch",
    path: "/roles/:id",
    summary: "Rename a custom role or change its description or permissions",
    access: "role:update",
    body: z.object({
      name: RoleName.optional(),
      description: Description.optional(),
      permissions: PermissionList.optional(),
    }),
    async handler(c, { body }) {
      const id = c.req.param("id") ?? "";
      refuseBuiltIn(id, "changed");
      const row = await findOrgRole(c, id);
      if (body.permissions)
        checkGrantable(c.get("user"), [...row.permissions, ...body.permissions]);
      const next: Role = {
        ...row,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.permissions === undefined ? {} : { permissions: body.permissions }),
        updatedAt: Date.now(),
      };
      try {
        await db(c.env)
          .update(roles)
          .set(next)
          .where(and(eq(roles.id, id), eq(roles.orgId, row.orgId)));
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicateName(next.name);
        throw err;
      }
      return c.json(customRoleView(next));
    },
  }),
  route({
    method: "delete",
    path: "/roles/:id",
    summary: "Delete a custom role that nobody holds",
    access: "role:delete",
    async handler(c) {
      const id = c.req.param("id") ?? "";
      refuseBuiltIn(id, "deleted");
      const row = await findOrgRole(c, id);
      // One statement, so a user given the role meanwhile cannot be left holding nothing.
      const result = await c.env.DB.prepare(
        "DELETE FROM roles WHERE id = ? AND org_id = ? AND NOT EXISTS (SELECT 1 FROM users WHERE org_id = ? AND role = ?)",
      )
        .bind(id, row.orgId, row.orgId, id)
        .run();
      if (result.meta.changes === 0) {
        const [held] = await db(c.env)
          .select({ n: count() })
          .from(users)
          .where(and(eq(users.orgId, row.orgId), eq(users.role, id)));
        const n = held?.n ?? 0;
        if (n === 0) throw notFound("No such role.");
        throw conflict(
          `The role '${row.name}' is held by ${n} user${n === 1 ? "" : "s"}. Give them another role first.`,
        );
      }
      return c.body(null, 204);
    },
  }),
];
