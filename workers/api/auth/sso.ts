// Single sign-on: the organisation's settings (OIDC and Cloudflare Access), the sign-in
// methods the sign-in page offers, and the two legs of an OIDC sign-in. The OIDC legs are
// browser navigations: every refusal is a redirect to /sign-in?error=<code> with an audit
// entry, never an error page and never a token in the URL. (Cloudflare Access needs no route:
// its assertion is accepted where callers are identified, see session.ts.)
import type { Context } from "hono";
import { z } from "zod";
import type { SignInProviders, SsoSettingsView } from "../../../shared/api-types";
import type { AppEnv } from "../../app-env";
import { audit } from "../../audit/record";
import { beginOidcLogin, completeOidcLogin, redirectUri } from "../../sso/oidc";
import { SsoRefusal } from "../../sso/refusal";
import {
  accessReady,
  loadSettings,
  oidcReady,
  providerLabel,
  settingsView,
  signInOrganisationId,
} from "../../sso/settings";
import { applyPatch, SsoPatch, saveSettings } from "../../sso/settings-patch";
import { route } from "../route";
import { startSession } from "./start-session";

function noStoreRedirect(c: Context<AppEnv>, location: string) {
  c.header("cache-control", "no-store");
  return c.redirect(location, 302);
}

async function refused(c: Context<AppEnv>, err: unknown) {
  if (!(err instanceof SsoRefusal)) throw err;
  // One organisation per installation: the refused attempt was for it.
  const orgId = await signInOrganisationId(c.env);
  audit(c, {
    action: "auth.oidc_refused",
    outcome: "denied",
    status: 401,
    detail: `${err.code}: ${err.detail}`,
    actor: { via: "oidc", ...(orgId ? { orgId } : {}), ...err.actor },
  });
  return noStoreRedirect(c, `/sign-in?error=${err.code}`);
}

export const ssoRoutes = [
  route({
    method: "get",
    path: "/sso",
    summary: "Single sign-on settings (OIDC and Cloudflare Access); never the client secret",
    access: "organisation:read",
    async handler(c) {
      const settings = await loadSettings(c.env, c.get("user").orgId);
      return c.json(settingsView(settings, redirectUri(c)) satisfies SsoSettingsView);
    },
  }),
  route({
    method: "patch",
    path: "/sso",
    summary:
      "Change single sign-on; enabling OIDC checks the issuer's discovery document (client secret is write-only)",
    access: "organisation:update",
    body: SsoPatch,
    async handler(c, { body }) {
      const caller = c.get("user");
      const current = await loadSettings(c.env, caller.orgId);
      const next = await applyPatch(c.env, caller, current, body);
      await saveSettings(c.env, next);
      // The audit entry (sso.update, before and after as GET /sso shows them) is route.ts's.
      return c.json(settingsView(next, redirectUri(c)) satisfies SsoSettingsView);
    },
  }),
  route({
    method: "get",
    path: "/auth/providers",
    summary: "The sign-in methods the organisation offers (password, OIDC, Cloudflare Access)",
    access: "public",
    async handler(c) {
      const orgId = await signInOrganisationId(c.env);
      const s = orgId ? await loadSettings(c.env, orgId) : null;
      const oidc = s !== null && oidcReady(s);
      const providers: SignInProviders = {
        password: !s?.ssoOnly,
        ssoOnly: s?.ssoOnly ?? false,
        oidc: { enabled: oidc, label: oidc ? providerLabel(s.oidcIssuer) : null },
        access: s !== null && accessReady(s),
      };
      return c.json(providers);
    },
  }),
  route({
    method: "get",
    path: "/auth/oidc/start",
    summary: "Start an OIDC sign-in: redirects to the identity provider",
    access: "public",
    query: z.object({ returnTo: z.string().optional() }),
    async handler(c, { query }) {
      try {
        return noStoreRedirect(c, await beginOidcLogin(c, query.returnTo ?? "/"));
      } catch (err) {
        return refused(c, err);
      }
    },
  }),
  route({
    method: "get",
    path: "/auth/oidc/callback",
    summary: "Where the identity provider returns: checks the sign-in and starts a session",
    access: "public",
    // Providers add their own parameters (session_state, iss, scope…): those are ignored.
    query: z.object({
      code: z.string().optional(),
      state: z.string().optional(),
      error: z.string().optional(),
    }),
    async handler(c, { query }) {
      try {
        const user = await completeOidcLogin(c, query);
        await startSession(c, user.userId);
        audit(c, {
          action: "auth.oidc_sign_in",
          outcome: "success",
          status: 302,
          detail: user.created ? "account provisioned on first sign-in" : "signed in",
          actor: { via: "oidc", userId: user.userId, email: user.email, orgId: user.orgId },
        });
        return noStoreRedirect(c, user.returnTo);
      } catch (err) {
        return refused(c, err);
      }
    },
  }),
];
