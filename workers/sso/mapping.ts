// Role and team mapping from one ID-token claim (e.g. "groups"). Pure: the claim's values in,
// the role and team memberships they call for out.

/**
 * The values of `claim` in the token: a string or an array of strings (other entries are
 * ignored). A dotted name such as "realm_access.roles" (Keycloak) is followed into nested
 * objects when no top-level claim has that exact name. Null when the token does not carry it.
 */
export function claimValues(payload: Record<string, unknown>, claim: string | null) {
  if (!claim) return null;
  let value: unknown = payload[claim];
  if (value === undefined && claim.includes(".")) {
    value = claim.split(".").reduce<unknown>((node, key) => {
      return typeof node === "object" && node !== null
        ? (node as Record<string, unknown>)[key]
        : undefined;
    }, payload);
  }
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return null;
}

/** The role of the first mapping entry whose claim value the token carries. */
export function mappedRole(
  mapping: Record<string, string> | null,
  values: readonly string[] | null,
): string | null {
  if (!mapping || !values) return null;
  const held = new Set(values);
  for (const [value, role] of Object.entries(mapping)) if (held.has(value)) return role;
  return null;
}

/**
 * The teams the mapping manages, and those of them the token's values ask for. Teams the
 * mapping does not mention are left alone.
 */
export function mappedTeams(mapping: Record<string, string> | null, values: readonly string[]) {
  const held = new Set(values);
  const managed = new Set<string>();
  const wanted = new Set<string>();
  for (const [value, teamId] of Object.entries(mapping ?? {})) {
    managed.add(teamId);
    if (held.has(value)) wanted.add(teamId);
  }
  return { managed, wanted };
}
