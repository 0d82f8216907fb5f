// Permissions are named resource:action. Every /api route declares the one it needs (see
// route.ts), so a route cannot exist without one. Roles are sets of them: three built into
// the code, and custom ones per organisation in D1 (see role-store.ts). A caller's set is
// resolved once per request, when the session or API token is identified.

export const PERMISSIONS = [
  "providerKey:read",
  "providerKey:create",
  "providerKey:update",
  "providerKey:delete",
  "llmProxy:read",
  "llmProxy:create",
  "llmProxy:update",
  "llmProxy:delete",
  "llmVirtualKey:read",
  "llmVirtualKey:create",
  "llmVirtualKey:update",
  "llmVirtualKey:delete",
  /** Act on other people's virtual keys: list, mint for, revoke. */
  "llmVirtualKey:admin",
  "log:read",
  /** Retry or discard telemetry dead letters (log rows and tool calls that could not be stored). */
  "telemetry:update",
  "limit:read",
  "limit:create",
  "limit:update",
  "limit:delete",
  "cost:read",
  "price:read",
  "price:update",
  "organisation:read",
  "organisation:update",
  "member:read",
  "member:create",
  "member:update",
  "member:delete",
  "team:read",
  "team:create",
  "team:update",
  "team:delete",
  "mcpGateway:read",
  "mcpGateway:create",
  "mcpGateway:update",
  "mcpGateway:delete",
  "mcpServer:read",
  "mcpServer:create",
  "mcpServer:update",
  "mcpServer:delete",
  "policy:read",
  "policy:create",
  "policy:update",
  "policy:delete",
  "audit:read",
  "role:read",
  "role:create",
  "role:update",
  "role:delete",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const BUILT_IN_ROLES = ["admin", "editor", "member"] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

const byResource = (...resources: string[]) =>
  PERMISSIONS.filter((p) => resources.includes(p.slice(0, p.indexOf(":"))));

const MEMBER: readonly Permission[] = [
  "llmProxy:read",
  "llmVirtualKey:read",
  "llmVirtualKey:create",
  "mcpGateway:read",
];

// Editors run the gateway's configuration but not its people or its secrets: no members,
// teams beyond reading them, roles, provider keys, audit, organisation settings, or other
// people's keys.
const EDITOR: readonly Permission[] = [
  ...byResource("llmProxy", "mcpGateway", "mcpServer", "limit", "policy", "price"),
  "llmVirtualKey:read",
  "llmVirtualKey:create",
  "llmVirtualKey:update",
  "llmVirtualKey:delete",
  "cost:read",
  "log:read",
  "team:read",
  "organisation:read",
];

export const BUILT_IN_ROLE_PERMISSIONS: Record<BuiltInRole, ReadonlySet<Permission>> = {
  admin: permissionSet(PERMISSIONS),
  editor: permissionSet(EDITOR),
  member: permissionSet(MEMBER),
};

export const BUILT_IN_ROLE_DESCRIPTIONS: Record<BuiltInRole, string> = {
  admin: "Everything, including members, roles and provider keys.",
  editor:
    "Manages LLM proxies, MCP gateways and servers, limits, policies and prices; reads costs and logs; their own virtual keys.",
  member: "Uses LLM proxies and the MCP gateways open to them, and creates their own virtual keys.",
};

const KNOWN = new Set<string>(PERMISSIONS);

export function isPermission(name: string): name is Permission {
  return KNOWN.has(name);
}

export function isBuiltInRole(role: string): role is BuiltInRole {
  return (BUILT_IN_ROLES as readonly string[]).includes(role);
}

/** A set in the canonical PERMISSIONS order, so lists built from it read the same everywhere. */
export function permissionSet(names: Iterable<string>): ReadonlySet<Permission> {
  const given = new Set(names);
  return new Set(PERMISSIONS.filter((p) => given.has(p)));
}

/**
 * What a user holding `role` may do. `customPermissions` is the stored list of the custom
 * role `role` names, or null when no such role exists in the user's organisation (deleted,
 * or from elsewhere): such a user may do nothing. Names no longer in PERMISSIONS are dropped.
 */
export function resolvePermissions(
  role: string,
  customPermissions: readonly string[] | null,
): ReadonlySet<Permission> {
  if (isBuiltInRole(role)) return BUILT_IN_ROLE_PERMISSIONS[role];
  return permissionSet(customPermissions ?? []);
}

export interface PermissionHolder {
  permissions: ReadonlySet<Permission>;
}

export function can(user: PermissionHolder, permission: Permission): boolean {
  return user.permissions.has(permission);
}

/** The permissions in `wanted` that `user` lacks: nobody may hand out more than they hold. */
export function beyond(user: PermissionHolder, wanted: Iterable<Permission>): Permission[] {
  return [...permissionSet(wanted)].filter((p) => !user.permissions.has(p));
}
