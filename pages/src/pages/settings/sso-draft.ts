// The single sign-on form's working copy, and the PATCH made of what changed in it. Only
// changed fields are sent: enabling OIDC or changing the provider makes the API fetch the
// issuer's discovery document, and handing out roles is checked against the caller's own.
import type { SsoSettingsPatch, SsoSettingsView } from "../../../../shared/api-types";

export interface MappingRow {
  key: number;
  value: string;
  target: string;
}

export interface SsoDraft {
  oidcEnabled: boolean;
  oidcIssuer: string;
  oidcClientId: string;
  /** null: keep the secret as it is; a string: the new secret. */
  newSecret: string | null;
  oidcScopes: string;
  oidcRoleClaim: string;
  roleRows: MappingRow[];
  teamRows: MappingRow[];
  oidcDefaultRole: string;
  ssoOnly: boolean;
  accessEnabled: boolean;
  accessTeamDomain: string;
  accessAudience: string;
}

let nextKey = 1;
export const newRow = (value = "", target = ""): MappingRow => ({
  key: nextKey++,
  value,
  target,
});

const rows = (mapping: Record<string, string>) =>
  Object.entries(mapping).map(([value, target]) => newRow(value, target));

export function draftOf(view: SsoSettingsView): SsoDraft {
  return {
    oidcEnabled: view.oidcEnabled,
    oidcIssuer: view.oidcIssuer ?? "",
    oidcClientId: view.oidcClientId ?? "",
    newSecret: view.hasClientSecret ? null : "",
    oidcScopes: view.oidcScopes,
    oidcRoleClaim: view.oidcRoleClaim ?? "",
    roleRows: rows(view.oidcRoleMapping),
    teamRows: rows(view.oidcTeamMapping),
    oidcDefaultRole: view.oidcDefaultRole,
    ssoOnly: view.ssoOnly,
    accessEnabled: view.accessEnabled,
    accessTeamDomain: view.accessTeamDomain ?? "",
    accessAudience: view.accessAudience ?? "",
  };
}

/** Rows with a claim value, in order (the first role mapping that matches wins). */
export function mappingOf(list: MappingRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of list) {
    const value = r.value.trim();
    if (value && r.target && !(value in out)) out[value] = r.target;
  }
  return out;
}

/** A claim value given twice, or a row with a value and no target: said before saving. */
export function mappingProblem(list: MappingRow[], what: string): string | null {
  const seen = new Set<string>();
  for (const r of list) {
    const value = r.value.trim();
    if (!value) continue;
    if (seen.has(value)) return `The claim value “${value}” is mapped twice.`;
    if (!r.target) return `Choose a ${what} for the claim value “${value}”.`;
    seen.add(value);
  }
  return null;
}

const text = (v: string) => v.trim() || null;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function patchOf(draft: SsoDraft, view: SsoSettingsView): SsoSettingsPatch {
  const patch: SsoSettingsPatch = {};
  if (draft.oidcEnabled !== view.oidcEnabled) patch.oidcEnabled = draft.oidcEnabled;
  if (text(draft.oidcIssuer) !== view.oidcIssuer) patch.oidcIssuer = text(draft.oidcIssuer);
  if (text(draft.oidcClientId) !== view.oidcClientId) patch.oidcClientId = text(draft.oidcClientId);
  if (draft.newSecret) patch.oidcClientSecret = draft.newSecret;
  const scopes = draft.oidcScopes.trim().split(/\s+/).filter(Boolean).join(" ");
  if (scopes !== view.oidcScopes) patch.oidcScopes = scopes;
  if (text(draft.oidcRoleClaim) !== view.oidcRoleClaim)
    patch.oidcRoleClaim = text(draft.oidcRoleClaim);
  const roleMapping = mappingOf(draft.roleRows);
  if (!same(roleMapping, view.oidcRoleMapping)) patch.oidcRoleMapping = roleMapping;
  const teamMapping = mappingOf(draft.teamRows);
  if (!same(teamMapping, view.oidcTeamMapping)) patch.oidcTeamMapping = teamMapping;
  if (draft.oidcDefaultRole !== view.oidcDefaultRole) patch.oidcDefaultRole = draft.oidcDefaultRole;
  if (draft.ssoOnly !== view.ssoOnly) patch.ssoOnly = draft.ssoOnly;
  if (draft.accessEnabled !== view.accessEnabled) patch.accessEnabled = draft.accessEnabled;
  if (text(draft.accessTeamDomain) !== view.accessTeamDomain)
    patch.accessTeamDomain = text(draft.accessTeamDomain);
  if (text(draft.accessAudience) !== view.accessAudience)
    patch.accessAudience = text(draft.accessAudience);
  return patch;
}
