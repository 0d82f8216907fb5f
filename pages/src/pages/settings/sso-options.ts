// What the SSO mappings can point at: roles and teams, read when the caller may read them.
import type { ListOf, RoleView, TeamView } from "../../../../shared/api-types";
import { api } from "../../lib/api";

export interface Option {
  value: string;
  label: string;
}

const BUILT_IN: Option[] = [
  { value: "admin", label: "Admin" },
  { value: "editor", label: "Editor" },
  { value: "member", label: "Member" },
];

export async function loadRoleOptions(allowed: boolean): Promise<Option[]> {
  if (!allowed) return BUILT_IN;
  const roles = await api.get<ListOf<RoleView>>("/roles");
  return roles.data.map((r) => ({
    value: r.id,
    // Built-in roles come named by their id ("admin"): capitalised to read as a name.
    label: r.builtIn ? `${r.name.charAt(0).toUpperCase()}${r.name.slice(1)}` : `${r.name} (custom)`,
  }));
}

export async function loadTeamOptions(allowed: boolean): Promise<Option[] | null> {
  if (!allowed) return null;
  const teams = await api.get<ListOf<TeamView>>("/teams");
  return teams.data.map((t) => ({ value: t.id, label: t.name }));
}

/** The list, with a saved value it does not know (a role the caller cannot list) kept. */
export function withCurrent(options: Option[], current: string[]): Option[] {
  const known = new Set(options.map((o) => o.value));
  const extra = [...new Set(current)].filter((v) => v && !known.has(v));
  return [...options, ...extra.map((v) => ({ value: v, label: v }))];
}
