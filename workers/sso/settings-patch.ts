// PATCH /api/sso: the input schema and the checks on the settings as they would be after the
// change. Enabling OIDC or changing the provider fetches the issuer's discovery document and
// refuses a provider that cannot do what the sign-in needs. Mapped and default roles must
// exist and be grantable by the caller; mapped teams must be this organisation's.
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { ssoSettings, teams } from "../../d1/schema";
import { encryptSecret } from "../../shared/crypto";
import type { SessionUser } from "../api/auth/session";
import type { Permission } from "../api/permissions";
import { checkGrantable, lookupRole } from "../api/role-store";
import { config } from "../config";
import { db } from "../db";
import { badRequest } from "../errors";
import { DiscoveryError, fetchDiscovery } from "./discovery";
import type { SsoSettings } from "./settings";
import { normaliseTeamDomain, safeFetchUrl } from "./urls";

const Text = (max: number) => z.string().trim().min(1).max(max);
const Mapping = z
  .record(Text(256), Text(64))
  .refine((m) => Object.keys(m).length <= 200, "at most 200 entries");
// An empty string clears a text setting, like null.
const Clearable = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullable()
    .transform((v) => v || null);

export const SsoPatch = z.strictObject({
  oidcEnabled: z.boolean().optional(),
  oidcIssuer: Clearable(512).optional(),
  oidcClientId: Clearable(512).optional(),
  oidcClientSecret: z.string().min(1).max(4096).nullable().optional(),
  oidcScopes: z
    .string()
    .max(512)
    .transform((s) => s.trim().split(/\s+/).filter(Boolean).join(" "))
    .refine((s) => s.split(" ").includes("openid"), "must include openid")
    .optional(),
  oidcRoleClaim: Clearable(128).optional(),
  oidcRoleMapping: Mapping.nullable().optional(),
  oidcTeamMapping: Mapping.nullable().optional(),
  oidcDefaultRole: Text(64).optional(),
  ssoOnly: z.boolean().optional(),
  accessEnabled: z.boolean().optional(),
  accessTeamDomain: Clearable(253).optional(),
  accessAudience: Clearable(128).optional(),
});
export type SsoPatch = z.output<typeof SsoPatch>;

const fieldError = (path: string, message: string) =>
  badRequest(`${path}: ${message}`, [{ path, message }]);

const touchesOidc = (p: SsoPatch) =>
  p.oidcEnabled !== undefined ||
  p.oidcIssuer !== undefined ||
  p.oidcClientId !== undefined ||
  p.oidcClientSecret !== undefined ||
  p.oidcScopes !== undefined;

/** The row as it will be saved, or a 400 naming the first field that is wrong. */
export async function applyPatch(
  env: Env,
  caller: SessionUser,
  current: SsoSettings,
  patch: SsoPatch,
): Promise<SsoSettings> {
  const { oidcClientSecret: secret, ...fields } = patch;
  const defined = Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as Partial<SsoSettings>;
  const next: SsoSettings = { ...current, ...defined, updatedAt: Date.now() };
  if (secret !== undefined) {
    next.oidcClientSecret =
      secret === null
        ? null
        : await encryptSecret(await config(env).encryptionKey, secret, current.orgId);
  }
  if (next.oidcIssuer !== null) {
    const url = safeFetchUrl(next.oidcIssuer);
    if (!url || url.search || url.hash) {
      throw fieldError("oidcIssuer", "must be an https URL (http only for loopback hosts).");
    }
  }
  if (next.oidcEnabled) {
    if (next.oidcIssuer === null) throw fieldError("oidcIssuer", "is required to enable OIDC.");
    if (next.oidcClientId === null) throw fieldError("oidcClientId", "is required to enable OIDC.");
    if (touchesOidc(patch)) await checkProvider(next.oidcIssuer);
  }
  await checkRoles(env, caller, next, patch);
  await checkTeams(env, next);
  if (next.accessTeamDomain !== null) {
    const domain = normaliseTeamDomain(next.accessTeamDomain);
    if (!domain) {
      throw fieldError(
        "accessTeamDomain",
        "must be a host such as acme.cloudflareaccess.com (an http base URL only for loopback).",
      );
    }
    next.accessTeamDomain = domain;
  }
  if (next.accessEnabled) {
    if (next.accessTeamDomain === null) {
      throw fieldError("accessTeamDomain", "is required to enable Cloudflare Access.");
    }
    if (next.accessAudience === null) {
      throw fieldError("accessAudience", "is required to enable Cloudflare Access.");
    }
  }
  if (next.ssoOnly && !next.oidcEnabled && !next.accessEnabled) {
    throw fieldError(
      "ssoOnly",
      "needs OIDC or Cloudflare Access enabled, or nobody could sign in.",
    );
  }
  return next;
}

async function checkProvider(issuer: string) {
  try {
    await fetchDiscovery(issuer);
  } catch (err) {
    if (err instanceof DiscoveryError) {
      throw fieldError("oidcIssuer", `${issuer} cannot be used: ${err.message}`);
    }
    throw err;
  }
}

async function checkRoles(env: Env, caller: SessionUser, next: SsoSettings, patch: SsoPatch) {
  const granted: Permission[] = [];
  const role = async (path: string, name: string) => {
    const permissions = await lookupRole(env, next.orgId, name);
    if (!permissions) throw fieldError(path, `there is no role '${name}' in this organisation.`);
    granted.push(...permissions);
  };
  await role("oidcDefaultRole", next.oidcDefaultRole);
  for (const [value, name] of Object.entries(next.oidcRoleMapping ?? {})) {
    await role(`oidcRoleMapping.${value}`, name);
  }
  const mappings = { ...next.oidcRoleMapping, ...next.oidcTeamMapping };
  if (Object.keys(mappings).length > 0 && next.oidcRoleClaim === null) {
    throw fieldError("oidcRoleClaim", "name the ID-token claim the mappings read (e.g. groups).");
  }
  // Handing out roles through SSO is granting them: only what the caller holds themselves.
  if (patch.oidcDefaultRole !== undefined || patch.oidcRoleMapping) checkGrantable(caller, granted);
}

async function checkTeams(env: Env, next: SsoSettings) {
  const mapping = next.oidcTeamMapping ?? {};
  const ids = [...new Set(Object.values(mapping))];
  if (ids.length === 0) return;
  const found = await db(env)
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.orgId, next.orgId), inArray(teams.id, ids)));
  const known = new Set(found.map((t) => t.id));
  for (const [value, teamId] of Object.entries(mapping)) {
    if (!known.has(teamId)) {
      throw fieldError(
        `oidcTeamMapping.${value}`,
        `there is no team '${teamId}' in this organisation.`,
      );
    }
  }
}

export async function saveSettings(env: Env, next: SsoSettings) {
  const { orgId: _key, ...values } = next;
  await db(env)
    .insert(ssoSettings)
    .values(next)
    .onConflictDoUpdate({ target: ssoSettings.orgId, set: values });
}
