// An organisation's sso_settings row: reading it (with defaults when none was ever saved),
// the view /api returns (never the client secret), and the secret's decryption for the token
// exchange. The client secret is AES-GCM encrypted with the organisation id as additional data.
import { asc, eq } from "drizzle-orm";
import { organisations, ssoSettings } from "../../d1/schema";
import type { SsoSettingsView } from "../../shared/api-types";
import { decryptSecret } from "../../shared/crypto";
import { config } from "../config";
import { db } from "../db";

export type SsoSettings = typeof ssoSettings.$inferSelect;

export const DEFAULT_SCOPES = "openid email profile";

export function defaultSettings(orgId: string): SsoSettings {
  return {
    orgId,
    oidcEnabled: false,
    oidcIssuer: null,
    oidcClientId: null,
    oidcClientSecret: null,
    oidcScopes: DEFAULT_SCOPES,
    oidcRoleClaim: null,
    oidcRoleMapping: null,
    oidcTeamMapping: null,
    oidcDefaultRole: "member",
    ssoOnly: false,
    accessEnabled: false,
    accessTeamDomain: null,
    accessAudience: null,
    updatedAt: 0,
  };
}

export async function loadSettings(env: Env, orgId: string): Promise<SsoSettings> {
  const [row] = await db(env).select().from(ssoSettings).where(eq(ssoSettings.orgId, orgId));
  return row ?? defaultSettings(orgId);
}

/**
 * The organisation sign-in is for. Gatehouse deploys one organisation per installation; the
 * oldest one is it. Null before first-run setup.
 */
export async function signInOrganisationId(env: Env): Promise<string | null> {
  const [row] = await db(env)
    .select({ id: organisations.id })
    .from(organisations)
    .orderBy(asc(organisations.createdAt))
    .limit(1);
  return row?.id ?? null;
}

/** OIDC is usable: switched on and with what the flow needs. */
export function oidcReady(
  s: SsoSettings,
): s is SsoSettings & { oidcIssuer: string; oidcClientId: string } {
  return s.oidcEnabled && s.oidcIssuer !== null && s.oidcClientId !== null;
}

export function accessReady(
  s: SsoSettings,
): s is SsoSettings & { accessTeamDomain: string; accessAudience: string } {
  return s.accessEnabled && s.accessTeamDomain !== null && s.accessAudience !== null;
}

export function settingsView(s: SsoSettings, redirectUri: string): SsoSettingsView {
  return {
    oidcEnabled: s.oidcEnabled,
    oidcIssuer: s.oidcIssuer,
    oidcClientId: s.oidcClientId,
    hasClientSecret: s.oidcClientSecret !== null,
    oidcScopes: s.oidcScopes,
    oidcRoleClaim: s.oidcRoleClaim,
    oidcRoleMapping: s.oidcRoleMapping ?? {},
    oidcTeamMapping: s.oidcTeamMapping ?? {},
    oidcDefaultRole: s.oidcDefaultRole,
    oidcRedirectUri: redirectUri,
    ssoOnly: s.ssoOnly,
    accessEnabled: s.accessEnabled,
    accessTeamDomain: s.accessTeamDomain,
    accessAudience: s.accessAudience,
    updatedAt: s.updatedAt || null,
  };
}

export async function clientSecret(env: Env, s: SsoSettings): Promise<string | null> {
  if (s.oidcClientSecret === null) return null;
  return decryptSecret(await config(env).encryptionKey, s.oidcClientSecret, s.orgId);
}

/** What the sign-in button says: the provider's name when it is a well-known one. */
export function providerLabel(issuer: string | null): string | null {
  if (!issuer) return null;
  let host: string;
  try {
    host = new URL(issuer).hostname;
  } catch {
    return null;
  }
  if (host === "accounts.google.com") return "Google";
  if (host === "login.microsoftonline.com") return "Microsoft";
  if (host.endsWith(".okta.com") || host.endsWith(".oktapreview.com")) return "Okta";
  if (host.endsWith(".auth0.com")) return "Auth0";
  return "SSO";
}
