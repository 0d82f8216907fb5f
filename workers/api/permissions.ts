// Permissions are named resource:action. Every /api route declares the one it needs (see
// route.ts), so a route cannot exist without one. The identity issue adds custom roles.

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
  /** Act on other people's virtual keys: list, mint for, revoke. */
  "llmVirtualKey:admin",
  "log:read",
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
] as const;

export type Permission = (typeof PERMISSIONS)[number];
export type Role = "admin" | "member";

const MEMBER: readonly Permission[] = [
  "llmProxy:read",
  "llmVirtualKey:read",
  "llmVirtualKey:create",
];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(PERMISSIONS),
  member: new Set(MEMBER),
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
