// Cloudflare Access: an assertion signed by the (fake) team's key signs a person in and
// provisions them on first visit; tampered, foreign-key, wrong-audience, wrong-issuer,
// expired and email-less assertions are refused with a 401 and an audit entry, never a 500.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { expectApiError, expectFieldError, rows } from "./api-helpers";
import { type Admin, admin, call, createUser, ORIGIN } from "./helpers";
import { auditEntries, me, setCookies } from "./sso-helpers";

const AUDIENCE = "0123456789abcdef-access-aud-tag";

let a: Admin;
let team: string;

async function assertion(payload: Record<string, unknown>, key: "good" | "rogue" = "good") {
  const now = Math.floor(Date.now() / 1000);
  const res = await fetch(`${team}/_fake/access/sign`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      key,
      payload: {
        iss: team,
        aud: [AUDIENCE],
        sub: crypto.randomUUID(),
        type: "app",
        iat: now,
        nbf: now,
        exp: now + 600,
        ...payload,
      },
    }),
  });
  return ((await res.json()) as { token: string }).token;
}

function withAssertion(jwt: string, init: { method?: string; origin?: string } = {}) {
  return call(init.method === "POST" ? "/api/tokens" : "/api/me", {
    method: init.method ?? "GET",
    headers: {
      "cf-access-jwt-assertion": jwt,
      ...(init.origin ? { origin: init.origin } : {}),
      ...(init.method === "POST" ? { "content-type": "application/json" } : {}),
    },
    body: init.method === "POST" ? JSON.stringify({ name: "via access" }) : undefined,
  });
}

async function enableAccess(overrides: Record<string, unknown> = {}) {
  const res = await a.api("/sso", {
    method: "PATCH",
    body: { accessEnabled: true, accessTeamDomain: team, accessAudience: AUDIENCE, ...overrides },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

beforeAll(async () => {
  a = await admin();
  team = env.FAKE_OIDC_URL;
});

describe("Cloudflare Access", () => {
  it("ignores the header while Access is not enabled", async () => {
    const res = await withAssertion(await assertion({ email: "ada@acme.test" }));
    await expectApiError(res, 401, "authentication_error", /Sign in first/);
    expect(setCookies(res).gatehouse_session).toBeUndefined();
  });

  it("signs a new person in on first visit, provisioning them with the default role", async () => {
    await enableAccess();
    const since = Date.now();
    const res = await withAssertion(await assertion({ email: "Alice@Acme.test" }));
    expect(res.status, await res.clone().text()).toBe(200);
    const { user } = (await res.json()) as { user: { id: string; email: string; role: string } };
    expect(user).toMatchObject({ email: "alice@acme.test", role: "member" });
    const [row] = await rows<{ origin: string; last_sign_in_at: number | null }>(
      "SELECT origin, last_sign_in_at FROM users WHERE id = ?",
      user.id,
    );
    expect(row?.origin).toBe("access");
    expect(row?.last_sign_in_at).toBeGreaterThan(0);
    // The first visit also starts an ordinary session: later requests need no assertion.
    const session = setCookies(res).gatehouse_session;
    expect(session).toBeTruthy();
    expect(await me(`gatehouse_session=${session}`)).toMatchObject({ id: user.id });
    const [entry] = await auditEntries("auth.access_sign_in", since);
    expect(entry).toMatchObject({
      outcome: "success",
      actor_via: "access",
      actor_email: "alice@acme.test",
      org_id: a.orgId,
    });
  });

  it("signs an existing account in with its own role", async () => {
    const res = await withAssertion(await assertion({ email: "ada@acme.test" }));
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { id: string; role: string } };
    expect(user).toMatchObject({ id: a.userId, role: "admin" });
  });

  it("refuses tampered, foreign-key, wrong-audience, wrong-issuer, expired and email-less assertions", async () => {
    const since = Date.now();
    const valid = await assertion({ email: "mallory@acme.test" });
    const [header, payload, signature] = valid.split(".");
    const claims = JSON.parse(atob((payload ?? "").replace(/-/g, "+").replace(/_/g, "/")));
    const forged = btoa(JSON.stringify({ ...claims, email: "ada@acme.test" }))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    const past = Math.floor(Date.now() / 1000) - 3600;
    const cases: [string, string, RegExp][] = [
      ["tampered", `${header}.${forged}.${signature}`, /signature is not valid/],
      ["foreign key", await assertion({ email: "m@acme.test" }, "rogue"), /signature/],
      ["wrong aud", await assertion({ email: "m@acme.test", aud: ["other"] }), /audience/],
      ["wrong iss", await assertion({ email: "m@acme.test", iss: "https://evil.example" }), /team/],
      ["expired", await assertion({ email: "m@acme.test", iat: past, exp: past + 60 }), /expired/],
      ["no email", await assertion({ common_name: "svc.access" }), /names no person/],
      ["garbage", "not-a-jwt", /malformed/],
    ];
    for (const [name, jwt, message] of cases) {
      const res = await withAssertion(jwt);
      const body = await expectApiError(res, 401, "authentication_error", message);
      expect(body.error.message, name).not.toContain(jwt);
      expect(setCookies(res).gatehouse_session, name).toBeUndefined();
    }
    expect(
      await rows("SELECT id FROM users WHERE email IN ('mallory@acme.test', 'm@acme.test')"),
    ).toEqual([]);
    const refused = await auditEntries("auth.access_refused", since, cases.length);
    expect(refused).toHaveLength(cases.length);
    expect(refused.every((r) => r.outcome === "denied" && r.status === 401)).toBe(true);
    expect(JSON.stringify(refused)).not.toContain(valid);
  });

  it("refuses a deactivated account", async () => {
    const gone = await createUser(a, "gone-access@acme.test");
    await env.DB.prepare("UPDATE users SET status = 'deactivated', deactivated_at = ? WHERE id = ?")
      .bind(Date.now(), gone.id)
      .run();
    const res = await withAssertion(await assertion({ email: "gone-access@acme.test" }));
    await expectApiError(res, 401, "authentication_error", /deactivated/);
  });

  it("applies the same-origin rule to changes made on an assertion", async () => {
    const jwt = await assertion({ email: "alice@acme.test" });
    await expectApiError(
      await withAssertion(jwt, { method: "POST", origin: "https://evil.example" }),
      403,
      "permission_error",
    );
    const ok = await withAssertion(jwt, { method: "POST", origin: ORIGIN });
    expect(ok.status, await ok.clone().text()).toBe(201);
  });

  it("answers 502, not 500, when the team's keys cannot be fetched", async () => {
    // A loopback server with no Access certs (the fake Anthropic answers 404 there).
    await enableAccess({ accessTeamDomain: env.FAKE_ANTHROPIC_URL });
    const res = await withAssertion(await assertion({ email: "alice@acme.test" }));
    await expectApiError(res, 502, "api_error", /could not be fetched/);
    await enableAccess();
  });

  it("takes a team domain as a host and refuses plain http off loopback", async () => {
    const res = await a.api("/sso", {
      method: "PATCH",
      body: { accessTeamDomain: "https://acme.cloudflareaccess.com/" },
    });
    expect(((await res.json()) as { accessTeamDomain: string }).accessTeamDomain).toBe(
      "acme.cloudflareaccess.com",
    );
    await expectFieldError(
      await a.api("/sso", { method: "PATCH", body: { accessTeamDomain: "http://acme.example" } }),
      "accessTeamDomain",
    );
    await enableAccess();
  });
});
