// OIDC single sign-on against a fake identity provider on loopback that signs real JWTs:
// settings, the full sign-in (PKCE, state, nonce), just-in-time provisioning, role and team
// mapping, every refused ID token, state reuse, and the SSO-only policy for passwords.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { SignInProviders, SsoSettingsView } from "../../shared/api-types";
import { passwordSignInRefusal } from "../../workers/sso/policy";
import { expectApiError, expectFieldError, rows, wholeDatabaseText } from "./api-helpers";
import { type Admin, admin, call, createUser } from "./helpers";
import {
  auditEntries,
  CLIENT_ID,
  CLIENT_SECRET,
  callbackWith,
  configureTenant,
  type Fault,
  me,
  newIssuer,
  signInWithOidc,
  tokenLog,
} from "./sso-helpers";

let a: Admin;
let engineering: string;
let support: string;

async function team(name: string) {
  const id = `team_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await env.DB.prepare(
    "INSERT INTO teams (id, org_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
  )
    .bind(id, a.orgId, name, Date.now(), Date.now())
    .run();
  return id;
}

/** Points the organisation's OIDC at a fresh tenant of the fake, configured as given. */
async function useProvider(
  tenant: Parameters<typeof configureTenant>[1] = {},
  settings: Record<string, unknown> = {},
  issuer = newIssuer(),
) {
  await configureTenant(issuer, tenant);
  const res = await a.api("/sso", {
    method: "PATCH",
    body: {
      oidcEnabled: true,
      oidcIssuer: issuer,
      oidcClientId: CLIENT_ID,
      oidcClientSecret: CLIENT_SECRET,
      oidcScopes: "openid email profile groups",
      oidcRoleClaim: "groups",
      oidcRoleMapping: { "gh-admins": "admin", "gh-editors": "editor" },
      oidcTeamMapping: { "gh-engineering": engineering, "gh-support": support },
      oidcDefaultRole: "member",
      ...settings,
    },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return issuer;
}

async function memberTeams(userId: string) {
  const found = await rows<{ team_id: string }>(
    "SELECT team_id FROM team_members WHERE user_id = ? ORDER BY team_id",
    userId,
  );
  return found.map((r) => r.team_id).sort();
}

async function userByEmail(email: string) {
  const [row] = await rows<{
    id: string;
    role: string;
    origin: string;
    oidc_subject: string | null;
    last_sign_in_at: number | null;
  }>("SELECT * FROM users WHERE email = ?", email);
  return row;
}

beforeAll(async () => {
  a = await admin();
  engineering = await team("Engineering");
  support = await team("Support");
});

describe("SSO settings", () => {
  it("starts switched off and says which redirect URI to register", async () => {
    const view = await a.json<SsoSettingsView>("/sso");
    expect(view).toMatchObject({
      oidcEnabled: false,
      hasClientSecret: false,
      oidcScopes: "openid email profile",
      oidcDefaultRole: "member",
      ssoOnly: false,
      accessEnabled: false,
      oidcRedirectUri: "http://gateway.test/api/auth/oidc/callback",
    });
    const providers = await (await call("/api/auth/providers")).json<SignInProviders>();
    expect(providers).toEqual({
      password: true,
      ssoOnly: false,
      oidc: { enabled: false, label: null },
      access: false,
    });
  });

  it("keeps the client secret write-only and encrypted at rest, audit log included", async () => {
    const since = Date.now();
    const issuer = await useProvider();
    const view = await a.json<SsoSettingsView>("/sso");
    expect(view.oidcEnabled).toBe(true);
    expect(view.oidcIssuer).toBe(issuer);
    expect(view.hasClientSecret).toBe(true);
    expect(JSON.stringify(view)).not.toContain(CLIENT_SECRET);
    const [entry] = await auditEntries("sso.update", since);
    expect(entry).toMatchObject({ outcome: "success", status: 200, org_id: a.orgId });
    expect(await wholeDatabaseText()).not.toContain(CLIENT_SECRET);
    const providers = await (await call("/api/auth/providers")).json<SignInProviders>();
    expect(providers.oidc).toEqual({ enabled: true, label: "SSO" });
    // Leaving the secret out keeps it; null removes it.
    const patched = await a.json<SsoSettingsView>("/sso", {
      method: "PATCH",
      body: { oidcScopes: "openid email" },
    });
    expect(patched.hasClientSecret).toBe(true);
    const cleared = await a.json<SsoSettingsView>("/sso", {
      method: "PATCH",
      body: { oidcClientSecret: null },
    });
    expect(cleared.hasClientSecret).toBe(false);
  });

  it("refuses a provider whose discovery document does not fit, naming oidcIssuer", async () => {
    const patch = (issuer: string) =>
      a.api("/sso", {
        method: "PATCH",
        body: { oidcEnabled: true, oidcIssuer: issuer, oidcClientId: CLIENT_ID },
      });
    const impostor = newIssuer();
    await configureTenant(impostor, { discovery: "wrong-issuer" });
    const wrongIssuer = await expectFieldError(await patch(impostor), "oidcIssuer");
    expect(wrongIssuer.error.message).toMatch(/names the issuer/);
    const noPkce = newIssuer();
    await configureTenant(noPkce, { discovery: "no-s256" });
    expect((await expectFieldError(await patch(noPkce), "oidcIssuer")).error.message).toMatch(
      /S256/,
    );
    const unknown = newIssuer(); // never configured: the fake answers 404
    expect((await expectFieldError(await patch(unknown), "oidcIssuer")).error.message).toMatch(
      /discovery document could not be read/,
    );
    await expectFieldError(await patch("http://idp.example.com"), "oidcIssuer");
    await expectFieldError(
      await a.api("/sso", { method: "PATCH", body: { oidcEnabled: true, oidcIssuer: null } }),
      "oidcIssuer",
    );
  });

  it("validates roles, teams, SSO-only and Access before saving anything", async () => {
    const patch = (body: Record<string, unknown>) => a.api("/sso", { method: "PATCH", body });
    await expectFieldError(
      await patch({ oidcRoleClaim: "groups", oidcRoleMapping: { x: "superuser" } }),
      "oidcRoleMapping",
    );
    await expectFieldError(
      await patch({ oidcRoleClaim: "groups", oidcTeamMapping: { x: "team_nope" } }),
      "oidcTeamMapping",
    );
    await expectFieldError(await patch({ oidcDefaultRole: "rol_doesnotexist" }), "oidcDefaultRole");
    await expectFieldError(
      await patch({ oidcRoleClaim: null, oidcRoleMapping: { x: "member" } }),
      "oidcRoleClaim",
    );
    await expectFieldError(await patch({ oidcScopes: "email profile" }), "oidcScopes");
    await expectFieldError(await patch({ hasClientSecret: true }), "hasClientSecret");
    await expectFieldError(
      await patch({ oidcEnabled: false, accessEnabled: false, ssoOnly: true }),
      "ssoOnly",
    );
    await expectFieldError(
      await patch({ accessEnabled: true, accessTeamDomain: null, accessAudience: "aud" }),
      "accessTeamDomain",
    );
    await expectFieldError(
      await patch({ accessTeamDomain: "http://acme.example.com", accessAudience: "aud" }),
      "accessTeamDomain",
    );
  });

  it("is readable by editors and changeable by admins only", async () => {
    const editor = await createUser(a, "sso-settings-editor@acme.test", "editor");
    expect((await editor.api("/sso")).status).toBe(200);
    await expectApiError(
      await editor.api("/sso", { method: "PATCH", body: { ssoOnly: false } }),
      403,
      "permission_error",
    );
    const member = await createUser(a, "sso-settings-member@acme.test");
    await expectApiError(await member.api("/sso"), 403, "permission_error");
  });
});

describe("OIDC sign-in", () => {
  it("signs a new person in end to end, provisioning them with mapped role and teams", async () => {
    const issuer = await useProvider({
      user: {
        sub: "okta|1001",
        email: "Grace@Acme.test",
        name: "Grace Hopper",
        groups: ["gh-editors", "gh-engineering", "unrelated"],
      },
    });
    const since = Date.now();
    const result = await signInWithOidc("/connect?proxy=1");
    expect(result.location).toBe("/connect?proxy=1");
    expect(result.sessionCookie).not.toBeNull();
    const user = await me(result.sessionCookie ?? "");
    expect(user).toMatchObject({ email: "grace@acme.test", role: "editor" });
    const row = await userByEmail("grace@acme.test");
    expect(row).toMatchObject({ origin: "oidc", oidc_subject: `${issuer}|okta|1001` });
    expect(row?.last_sign_in_at).toBeGreaterThan(Date.now() - 60_000);
    expect(await memberTeams(user.id)).toEqual([engineering]);
    const [signedIn] = await auditEntries("auth.oidc_sign_in", since);
    expect(signedIn).toMatchObject({ outcome: "success", actor_email: "grace@acme.test" });
    // The code was redeemed with the client secret (Basic) and the PKCE verifier.
    expect(await tokenLog(issuer)).toEqual([{ auth: "basic", outcome: "issued" }]);
    // The state cannot be replayed, not even by the browser that started it.
    const replay = await callbackWith(result.callbackUrl, result.bindingCookie);
    expect(replay.location).toBe("/sign-in?error=invalid_state");
    expect(replay.sessionCookie).toBeNull();
  });

  it("gives an invited person who signs in with SSO the invitation's role and teams", async () => {
    const invitedTeam = await team("Invited team");
    const invitation = await a.json<{ id: string }>("/invitations", {
      body: { email: "ivan@acme.test", role: "editor", teamIds: [invitedTeam] },
    });
    await useProvider({
      user: { sub: "okta|1010", email: "ivan@acme.test", name: "Ivan", groups: [] },
    });
    const result = await signInWithOidc();
    const user = await me(result.sessionCookie ?? "");
    expect(user).toMatchObject({ email: "ivan@acme.test", role: "editor" });
    expect(await memberTeams(user.id)).toEqual([invitedTeam]);
    const { data } = await a.json<{
      data: { id: string; status: string; acceptedUserId: string }[];
    }>("/invitations");
    expect(data.find((i) => i.id === invitation.id)).toMatchObject({
      status: "accepted",
      acceptedUserId: user.id,
    });
  });

  it("re-applies the mapping on every sign-in: role and mapped teams follow the claim", async () => {
    const user = { sub: "okta|1002", email: "linus@acme.test", name: "Linus" };
    const issuer = await useProvider({
      user: { ...user, groups: ["gh-editors", "gh-engineering"] },
    });
    const first = await signInWithOidc();
    const { id } = await me(first.sessionCookie ?? "");
    // An unmapped team membership is left alone by the sync.
    const manual = await team("Manual");
    await env.DB.prepare(
      "INSERT INTO team_members (team_id, user_id, org_id, added_at) VALUES (?, ?, ?, ?)",
    )
      .bind(manual, id, a.orgId, Date.now())
      .run();
    await useProvider({ user: { ...user, groups: ["gh-admins", "gh-support"] } }, {}, issuer);
    const second = await signInWithOidc();
    expect(await me(second.sessionCookie ?? "")).toMatchObject({ id, role: "admin" });
    expect(await memberTeams(id)).toEqual([manual, support].sort());
    // No mapped group: the role stays (mapping re-applies only when it matches), teams leave.
    await useProvider({ user: { ...user, groups: [] } }, {}, issuer);
    const third = await signInWithOidc();
    expect(await me(third.sessionCookie ?? "")).toMatchObject({ id, role: "admin" });
    expect(await memberTeams(id)).toEqual([manual]);
    await a.api(`/users/${id}`, { method: "PATCH", body: { role: "member" } });
  });

  it("gives the default role when nothing maps, from a custom role if configured", async () => {
    const role = await a.json<{ id: string }>("/roles", {
      body: { name: "SSO newcomer", permissions: ["llmProxy:read"] },
    });
    await useProvider(
      { user: { sub: "okta|1003", email: "newcomer@acme.test", groups: "some-other-group" } },
      { oidcDefaultRole: role.id },
    );
    const result = await signInWithOidc();
    const user = await me(result.sessionCookie ?? "");
    expect(user.role).toBe(role.id);
    expect((await userByEmail("newcomer@acme.test"))?.origin).toBe("oidc");
  });

  it("links an existing account by email and records the subject", async () => {
    const existing = await createUser(a, "existing@acme.test");
    const issuer = await useProvider({
      user: { sub: "okta|1004", email: "existing@acme.test", groups: ["gh-editors"] },
    });
    const result = await signInWithOidc();
    const user = await me(result.sessionCookie ?? "");
    expect(user).toMatchObject({ id: existing.id, role: "editor" });
    const row = await userByEmail("existing@acme.test");
    expect(row).toMatchObject({ origin: "password", oidc_subject: `${issuer}|okta|1004` });
    // Another identity claiming the same email is not let in to the linked account.
    await useProvider({ user: { sub: "okta|imposter", email: "existing@acme.test" } }, {}, issuer);
    const other = await signInWithOidc();
    expect(other.location).toBe("/sign-in?error=account_conflict");
    expect(other.sessionCookie).toBeNull();
  });

  it("never demotes the organisation's last active admin", async () => {
    await useProvider({
      user: { sub: "okta|ada", email: "ada@acme.test", groups: ["gh-editors"] },
    });
    const result = await signInWithOidc();
    expect(await me(result.sessionCookie ?? "")).toMatchObject({ id: a.userId, role: "admin" });
  });

  it("works for a public client, and with client_secret_post when that is all it takes", async () => {
    const publicIssuer = await useProvider(
      { clientSecret: null, user: { sub: "okta|1005", email: "public@acme.test" } },
      { oidcClientSecret: null },
    );
    expect((await signInWithOidc()).sessionCookie).not.toBeNull();
    expect(await tokenLog(publicIssuer)).toEqual([{ auth: "none", outcome: "issued" }]);
    const postIssuer = await useProvider({
      tokenAuthMethods: ["client_secret_post"],
      user: { sub: "okta|1006", email: "post@acme.test" },
    });
    expect((await signInWithOidc()).sessionCookie).not.toBeNull();
    expect(await tokenLog(postIssuer)).toEqual([{ auth: "post", outcome: "issued" }]);
  });

  it("refuses a deactivated account", async () => {
    const gone = await createUser(a, "gone@acme.test");
    await env.DB.prepare("UPDATE users SET status = 'deactivated', deactivated_at = ? WHERE id = ?")
      .bind(Date.now(), gone.id)
      .run();
    await useProvider({ user: { sub: "okta|1007", email: "gone@acme.test" } });
    const result = await signInWithOidc();
    expect(result.location).toBe("/sign-in?error=account_deactivated");
    expect(result.sessionCookie).toBeNull();
  });
});

describe("OIDC refusals", () => {
  const cases: [Fault, string][] = [
    ["bad-signature", "token_signature"],
    ["alg-none", "token_algorithm"],
    ["hs256", "token_algorithm"],
    ["wrong-audience", "token_audience"],
    ["multi-audience", "token_audience"],
    ["wrong-issuer", "token_issuer"],
    ["expired", "token_expired"],
    ["wrong-nonce", "token_nonce"],
    ["missing-email", "email_missing"],
    ["email-unverified", "email_unverified"],
  ];
  for (const [fault, code] of cases) {
    it(`refuses an ID token with ${fault}: no session, no account, error=${code}`, async () => {
      const email = `fault-${fault}@acme.test`;
      await useProvider({ fault, user: { sub: `okta|${fault}`, email } });
      const since = Date.now();
      const result = await signInWithOidc();
      expect(result.location).toBe(`/sign-in?error=${code}`);
      expect(result.sessionCookie).toBeNull();
      expect(result.callback.headers.get("location")).not.toMatch(/eyJ/);
      expect(await userByEmail(email)).toBeUndefined();
      const [entry] = await auditEntries("auth.oidc_refused", since);
      expect(entry).toMatchObject({ outcome: "denied", status: 401, actor_via: "oidc" });
      expect(entry?.detail).toMatch(new RegExp(`^${code}: `));
      expect(entry?.org_id).toBe(a.orgId);
    });
  }

  it("refuses a callback from another browser, an unknown state, and a provider's denial", async () => {
    await useProvider({ user: { sub: "okta|1010", email: "csrf@acme.test" } });
    const start = await call("/api/auth/oidc/start", { redirect: "manual" });
    const authorize = await fetch(start.headers.get("location") ?? "", { redirect: "manual" });
    const callbackUrl = authorize.headers.get("location") ?? "";
    const stolen = await callbackWith(callbackUrl, null);
    expect(stolen.location).toBe("/sign-in?error=invalid_state");
    expect(stolen.sessionCookie).toBeNull();
    const unknown = await callbackWith(
      "http://gateway.test/api/auth/oidc/callback?code=abc&state=made-up",
      "gatehouse_oidc_state=made-up",
    );
    expect(unknown.location).toBe("/sign-in?error=invalid_state");
    await useProvider({ deny: true });
    const denied = await signInWithOidc();
    expect(denied.location).toBe("/sign-in?error=idp_refused");
    expect(denied.sessionCookie).toBeNull();
  });

  it("refuses when the provider rejects the client's credentials", async () => {
    await useProvider({ clientSecret: "the-provider-expects-another-secret" });
    const result = await signInWithOidc();
    expect(result.location).toBe("/sign-in?error=token_exchange_failed");
    expect(result.sessionCookie).toBeNull();
  });

  it("refuses a returnTo that leaves the site", async () => {
    await useProvider();
    for (const returnTo of ["//evil.example", "https://evil.example/x", "/\\evil.example"]) {
      const res = await call(`/api/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`, {
        redirect: "manual",
      });
      expect(res.status).toBe(302);
      expect(res.headers.get("location"), returnTo).toBe("/sign-in?error=invalid_return_to");
    }
  });

  it("refuses to start while OIDC is switched off", async () => {
    await a.json("/sso", { method: "PATCH", body: { oidcEnabled: false } });
    const res = await call("/api/auth/oidc/start", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/sign-in?error=sso_not_configured");
  });
});

describe("SSO only", () => {
  it("refuses password sign-in to everyone but admins, and only when switched on", async () => {
    await useProvider({}, { ssoOnly: false });
    const member = { orgId: a.orgId, role: "member" };
    expect(await passwordSignInRefusal(env, member)).toBeNull();
    await a.json("/sso", { method: "PATCH", body: { ssoOnly: true } });
    expect(await passwordSignInRefusal(env, member)).toMatch(/single sign-on only/);
    expect(await passwordSignInRefusal(env, { orgId: a.orgId, role: "editor" })).toMatch(
      /Sign in with SSO/,
    );
    expect(await passwordSignInRefusal(env, { orgId: a.orgId, role: "admin" })).toBeNull();
    const providers = await (await call("/api/auth/providers")).json<SignInProviders>();
    expect(providers).toMatchObject({ password: false, ssoOnly: true });
    await a.json("/sso", { method: "PATCH", body: { ssoOnly: false } });
    expect(await passwordSignInRefusal(env, member)).toBeNull();
  });
});
