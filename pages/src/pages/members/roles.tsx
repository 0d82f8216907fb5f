// Role names for people: built-ins by name, custom roles by the name their id stands for.
import type { ListOf, RoleView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { roleLabel } from "../../ui/layout";

export function loadRoles(): Promise<RoleView[]> {
  return api.get<ListOf<RoleView>>("/roles").then((r) => r.data);
}

export function roleName(roles: RoleView[] | null, id: string): string {
  return roles?.find((r) => r.id === id)?.name ?? roleLabel(id);
}

/**
 * The role an invitation starts on: the built-in one with the fewest permissions (member), so
 * an admin who changes nothing grants the least.
 */
export function leastPrivilegedRole(roles: RoleView[] | null): string {
  const builtIn = (roles ?? []).filter((r) => r.builtIn);
  builtIn.sort((a, b) => a.permissions.length - b.permissions.length);
  return builtIn[0]?.id ?? "member";
}

/** Options for a role select; `selected` marks the current role (a select has no default value). */
export function RoleOptions(props: { roles: RoleView[]; selected?: string }) {
  return (
    <>
      {props.roles.map((r) => (
        <option key={r.id} value={r.id} selected={r.id === props.selected}>
          {r.name}
          {r.builtIn ? "" : " (custom)"}
        </option>
      ))}
    </>
  );
}
