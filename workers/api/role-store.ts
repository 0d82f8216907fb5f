// Looking up roles by the value users.role holds: a built-in name or a custom role's id.
import { and, eq } from "drizzle-orm";
import { type Role, roles } from "../../d1/schema";
import type { RoleView } from "../../shared/api-types";
import { db } from "../db";
import { badRequest, forbidden } from "../errors";
import {
  BUILT_IN_ROLE_DESCRIPTIONS,
  BUILT_IN_ROLE_PERMISSIONS,
  BUILT_IN_ROLES,
  type BuiltInRole,
  beyond,
  isBuiltInRole,
  isPermission,
  type Permission,
  type PermissionHolder,
  permissionSet,
} from "./permissions";

export async function findCustomRole(env: Env, orgId: string, id: string) {
  const [row] = await db(env)
    .select()
    .from(roles)
    .where(and(eq(roles.id, id), eq(roles.orgId, orgId)));
  return row;
}

/** The permissions of `role` in this organisation, or null when it has no such role. */
export async function lookupRole(
  env: Env,
  orgId: string,
  role: string,
): Promise<ReadonlySet<Permission> | null> {
  if (isBuiltInRole(role)) return BUILT_IN_ROLE_PERMISSIONS[role];
  const row = await findCustomRole(env, orgId, role);
  return row ? permissionSet(row.permissions) : null;
}

/** Like lookupRole, but a role the organisation does not have is the caller's mistake (400). */
export async function assignableRole(
  env: Env,
  orgId: string,
  role: string,
): Promise<ReadonlySet<Permission>> {
  const found = await lookupRole(env, orgId, role);
  if (!found) throw unknownRole(role);
  return found;
}

export const unknownRole = (role: string) =>
  badRequest(`role: there is no role '${role}' in this organisation.`, [
    { path: "role", message: "no such role in this organisation" },
  ]);

/** Nobody may hand out, or take away, permissions they do not hold themselves. */
export function checkGrantable(caller: PermissionHolder, permissions: Iterable<string>) {
  const missing = beyond(caller, [...permissions].filter(isPermission));
  if (missing.length > 0) {
    throw forbidden(
      `You cannot grant or take away permissions you do not hold: ${missing.join(", ")}.`,
    );
  }
}

/** How people read a built-in role's name: "admin" is its id, "Admin" its name. */
export const builtInRoleName = (role: BuiltInRole) => role.charAt(0).toUpperCase() + role.slice(1);

export function builtInRoleView(role: BuiltInRole): RoleView {
  return {
    id: role,
    name: builtInRoleName(role),
    builtIn: true,
    permissions: [...BUILT_IN_ROLE_PERMISSIONS[role]],
    description: BUILT_IN_ROLE_DESCRIPTIONS[role],
  };
}

export const builtInRoleViews = () => BUILT_IN_ROLES.map(builtInRoleView);

export function customRoleView(row: Role): RoleView {
  return {
    id: row.id,
    name: row.name,
    builtIn: false,
    permissions: [...permissionSet(row.permissions)],
    description: row.description,
  };
}
