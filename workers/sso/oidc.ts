// OIDC sign-in: authorization code flow with PKCE (S256), state and nonce. The state row in
// oidc_logins lives ten minutes and is consumed exactly once; a short-lived cookie also binds
// it to the browser that started the sign-in, so a stolen callback URL (login CSRF) is useless
// in another browser.
import { eq, lt } from "drizzle-orm";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { oidcLogins } from "../../d1/schema";
import { constantTimeEqual, randomToken } from "../../shared/crypto";
import { toBase64Url, utf8 } from "../../shared/encoding";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { publicOrigin } from "../public-origin";
import { DiscoveryError, discovery } from "./discovery";
import { verifyIdToken } from "./id-token";
import { claimValues } from "./mapping";
import { provisionSsoUser, type SignedInUser } from "./provisioning";
import { SsoRefusal } from "./refusal";
import {
  clientSecret,
  loadSettings,
  oidcReady,
  type SsoSettings,
  signInOrganisationId,
} from "./settings";
import { exchangeCode } from "./token-exchange";
import { isSafeReturnPath } from "./urls";

export const LOGIN_TTL_MS = 10 * 60 * 1000;
const BINDING_COOKIE = "gatehouse_oidc_state";
const CALLBACK_PATH = "/api/auth/oidc/callback";

export const redirectUri = (c: Context<AppEnv>) => `${publicOrigin(c)}${CALLBACK_PATH}`;

async function readySettings(env: Env, orgId: string | null) {
  const settings = orgId ? await loadSettings(env, orgId) : null;
  if (!settings || !oidcReady(settings)) {
    throw new SsoRefusal("sso_not_configured", "OIDC sign-in is not enabled");
  }
  return settings;
}

async function providerDiscovery(issuer: string) {
  try {
    return await discovery(issuer);
  } catch (err) {
    if (err instanceof DiscoveryError) {
      throw new SsoRefusal("idp_unavailable", `the identity provider: ${err.message}`);
    }
    throw err;
  }
}

async function s256(verifier: string) {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(verifier))));
}

/** Records a new sign-in and returns the provider's authorization URL to redirect to. */
export async function beginOidcLogin(c: Context<AppEnv>, returnTo: string): Promise<string> {
  const orgId = await signInOrganisationId(c.env);
  const settings = await readySettings(c.env, orgId);
  if (!isSafeReturnPath(returnTo)) {
    throw new SsoRefusal("invalid_return_to", "returnTo is not a path on this site");
  }
  const provider = await providerDiscovery(settings.oidcIssuer);
  const state = randomToken("");
  const nonce = randomToken("");
  const codeVerifier = randomToken("");
  const now = Date.now();
  await db(c.env).batch([
    db(c.env).delete(oidcLogins).where(lt(oidcLogins.expiresAt, now)),
    db(c.env)
      .insert(oidcLogins)
      .values({
        state,
        orgId: settings.orgId,
        nonce,
        codeVerifier,
        returnTo,
        createdAt: now,
        expiresAt: now + LOGIN_TTL_MS,
      }),
  ]);
  setCookie(c, BINDING_COOKIE, state, {
    httpOnly: true,
    secure: new URL(c.req.url).protocol === "https:",
    sameSite: "Lax",
    path: "/api/auth/oidc",
    maxAge: LOGIN_TTL_MS / 1000,
  });
  const url = new URL(provider.authorizationEndpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", settings.oidcClientId);
  url.searchParams.set("redirect_uri", redirectUri(c));
  url.searchParams.set("scope", settings.oidcScopes);
  url.searchParams.set("state", state);
  url.searchParams.set("nonce", nonce);
  url.searchParams.set("code_challenge", await s256(codeVerifier));
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
}

/** Consumes the state, exchanges the code, checks the ID token and provisions the user. */
export async function completeOidcLogin(
  c: Context<AppEnv>,
  query: CallbackQuery,
): Promise<SignedInUser & { returnTo: string; orgId: string }> {
  const bound = getCookie(c, BINDING_COOKIE);
  deleteCookie(c, BINDING_COOKIE, { path: "/api/auth/oidc" });
  const state = query.state ?? "";
  const [login] = state
    ? await db(c.env).delete(oidcLogins).where(eq(oidcLogins.state, state)).returning()
    : [];
  if (!login || login.expiresAt <= Date.now()) {
    throw new SsoRefusal("invalid_state", "unknown, expired or already used sign-in state");
  }
  if (!bound || !constantTimeEqual(bound, state)) {
    throw new SsoRefusal("invalid_state", "the sign-in was started in another browser");
  }
  if (query.error !== undefined || !query.code) {
    const reason = /^[\w.-]{1,64}$/.test(query.error ?? "") ? query.error : "no code";
    throw new SsoRefusal("idp_refused", `the identity provider refused the sign-in: ${reason}`);
  }
  const settings = await readySettings(c.env, login.orgId);
  const provider = await providerDiscovery(settings.oidcIssuer);
  const idToken = await exchangeCode(provider, {
    code: query.code,
    codeVerifier: login.codeVerifier,
    redirectUri: redirectUri(c),
    clientId: settings.oidcClientId,
    clientSecret: await readClientSecret(c.env, settings),
  });
  const token = await verifyIdToken(idToken, provider, {
    clientId: settings.oidcClientId,
    nonce: login.nonce,
  });
  const user = await provisionSsoUser(c.env, settings, {
    orgId: settings.orgId,
    email: token.email,
    name: token.name ?? token.email.split("@")[0] ?? token.email,
    subject: `${provider.issuer}|${token.subject}`,
    origin: "oidc",
    claimValues: claimValues(token.payload, settings.oidcRoleClaim),
  });
  return { ...user, returnTo: login.returnTo, orgId: settings.orgId };
}

async function readClientSecret(env: Env, settings: SsoSettings) {
  try {
    return await clientSecret(env, settings);
  } catch {
    // ENCRYPTION_KEY changed since the secret was saved: an admin has to enter it again.
    throw new SsoRefusal("sso_not_configured", "the stored client secret cannot be decrypted");
  }
}
