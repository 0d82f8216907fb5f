// First-run setup, sign-in with a cookie, same-origin checks, sign-out and personal API tokens.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  expectApiError,
  expectFieldError,
  jsonPost,
  rows,
  signIn,
  withCookie,
} from "./api-helpers";
import { admin, apiClient, call, createUser, SETUP_TOKEN } from "./helpers";

const ADMIN_EMAIL = "ada@acme.test";
const ADMIN_PASSWORD = "correct horse battery";
const setupBody = {
  organisationName: "Acme",
  name: "Ada Admin",
  email: ADMIN_EMAIL,
  password: ADMIN_PASSWORD,
};

async function setupNeeded(): Promise<boolean> {
  const res = await call("/api/setup");
  expect(res.status).toBe(200);
  return ((await res.json()) as { needed: boolean }).needed;
}

describe("first-run setup", () => {
  // Order matters in this block: the database starts empty and setup happens once.
  it("is needed on an empty database", async () => {
    expect(await setupNeeded()).toBe(true);
  });

  it("refuses without the setup token, or with a wrong one (401), and creates nothing", async () => {
    await expectApiError(
      await jsonPost("/api/setup", setupBody),
      401,
      "authentication_error",
      /X-Setup-Token/,
    );
    await expectApiError(
      await jsonPost("/api/setup", setupBody, { "x-setup-token": `${SETUP_TOKEN}x` }),
      401,
      "authentication_error",
    );
    await expectApiError(
      await jsonPost("/api/setup", setupBody, { "x-setup-token": "" }),
      401,
      "authentication_error",
    );
    expect(await setupNeeded()).toBe(true);
  });

  it("refuses a weak password with a 400 naming the field", async () => {
    const res = await jsonPost(
      "/api/setup",
      { ...setupBody, password: "short" },
      { "x-setup-token": SETUP_TOKEN },
    );
    await expectFieldError(res, "password");
    expect(await setupNeeded()).toBe(true);
  });

  it("succeeds once with the token, then is no longer needed, and a second setup is 409", async () => {
    const a = await admin();
    expect(a.token).toMatch(/^gha_/);
    expect(await setupNeeded()).toBe(false);
    const again = await jsonPost(
      "/api/setup",
      { ...setupBody, email: "eve@acme.test" },
      { "x-setup-token": SETUP_TOKEN },
    );
    await expectApiError(again, 409, "conflict_error");
    // The refused setup left no second organisation behind.
    expect(await rows("SELECT id FROM organisations")).toEqual([{ id: a.orgId }]);
    await expectApiError(
      await jsonPost("/api/auth/login", { email: "eve@acme.test", password: ADMIN_PASSWORD }),
      401,
    );
  });
});

describe("sign-in", () => {
  it("gives the same 401 for a wrong password and for an unknown email", async () => {
    await admin();
    const wrong = await expectApiError(
      await jsonPost("/api/auth/login", { email: ADMIN_EMAIL, password: "not the password" }),
      401,
      "authentication_error",
    );
    const unknown = await expectApiError(
      await jsonPost("/api/auth/login", { email: "nobody@acme.test", password: "whatever12" }),
      401,
      "authentication_error",
    );
    expect(unknown.error.message).toBe(wrong.error.message);
    expect(wrong.error.message).not.toMatch(/no such user|not found|unknown/i);
  });

  it("sets an HttpOnly, SameSite session cookie, not Secure on http", async () => {
    await admin();
    const { res, setCookie, cookie } = await signIn(ADMIN_EMAIL.toUpperCase(), ADMIN_PASSWORD);
    const body = (await res.json()) as { user: { email: string; role: string } };
    expect(body.user).toMatchObject({ email: ADMIN_EMAIL, role: "admin" });
    expect(cookie).toMatch(/^gatehouse_session=.+/);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=(Lax|Strict)/i);
    expect(setCookie).toMatch(/;\s*Path=\//i);
    expect(setCookie).not.toMatch(/;\s*Secure/i);
  });

  it("marks the cookie Secure on https", async () => {
    await admin();
    const res = await SELF.fetch("https://gateway.test/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/;\s*Secure/i);
  });

  it("answers /api/me with the cookie, and 401 without any credential", async () => {
    const a = await admin();
    const { cookie } = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const res = await withCookie("/api/me", cookie);
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: Record<string, unknown> };
    expect(user).toMatchObject({
      id: a.userId,
      organisationId: a.orgId,
      email: ADMIN_EMAIL,
      role: "admin",
    });
    expect(user.permissions).toEqual(expect.arrayContaining(["providerKey:create", "log:read"]));
    expect(JSON.stringify(user)).not.toMatch(/password|hash/i);
    await expectApiError(await call("/api/me"), 401, "authentication_error");
  });
});

describe("cookie-authenticated changes", () => {
  it("are refused without an Origin or from a foreign Origin, and allowed from our own", async () => {
    await admin();
    const { cookie } = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const body = { name: "from the dashboard" };
    await expectApiError(
      await withCookie("/api/tokens", cookie, { body, origin: null }),
      403,
      "permission_error",
    );
    await expectApiError(
      await withCookie("/api/tokens", cookie, { body, origin: "https://evil.example" }),
      403,
      "permission_error",
    );
    await expectApiError(
      await withCookie("/api/tokens", cookie, { body, origin: "null" }),
      403,
      "permission_error",
    );
    const ok = await withCookie("/api/tokens", cookie, { body });
    expect(ok.status).toBe(201);
    const { id } = (await ok.json()) as { id: string };
    await expectApiError(
      await withCookie(`/api/tokens/${id}`, cookie, { method: "DELETE", origin: "http://x.test" }),
      403,
    );
    // Only the same-origin POST made a token; the refused ones left nothing behind.
    const list = (await (await withCookie("/api/tokens", cookie)).json()) as {
      data: { id: string; name: string }[];
    };
    expect(list.data.filter((t) => t.name === body.name).map((t) => t.id)).toEqual([id]);
  });
});

describe("sign-out", () => {
  it("ends the session: the old cookie no longer works", async () => {
    await admin();
    const { cookie } = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect((await withCookie("/api/me", cookie)).status).toBe(200);
    const out = await withCookie("/api/auth/logout", cookie, { method: "POST" });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/gatehouse_session=;.*Max-Age=0/i);
    await expectApiError(await withCookie("/api/me", cookie), 401, "authentication_error");
  });
});

describe("personal API tokens", () => {
  it("work as Bearer, are never listed, and stop working once revoked", async () => {
    const a = await admin();
    const created = await a.api("/tokens", { body: { name: "ci" } });
    expect(created.status).toBe(201);
    const { token, id, prefix } = (await created.json()) as {
      token: string;
      id: string;
      prefix: string;
    };
    expect(token).toMatch(/^gha_[A-Za-z0-9_-]{40,}$/);
    expect(token.startsWith(prefix)).toBe(true);
    const ci = apiClient(token);
    const me = await ci.json<{ user: { id: string } }>("/me");
    expect(me.user.id).toBe(a.userId);

    const listRes = await a.api("/tokens");
    const listText = await listRes.text();
    expect(listText).not.toContain(token);
    expect(listText).not.toContain(a.token);
    const list = JSON.parse(listText) as { data: { id: string; prefix: string }[] };
    expect(list.data.find((t) => t.id === id)).toMatchObject({ prefix });

    expect((await a.api(`/tokens/${id}`, { method: "DELETE" })).status).toBe(204);
    await expectApiError(await ci.api("/me"), 401, "authentication_error");
    await expectApiError(await a.api(`/tokens/${id}`, { method: "DELETE" }), 404);
    const after = await a.json<{ data: { id: string }[] }>("/tokens");
    expect(after.data.map((t) => t.id)).not.toContain(id);
  });

  it("cannot be revoked by someone else", async () => {
    const a = await admin();
    const { id } = await a.json<{ id: string }>("/tokens", { body: { name: "mine" } });
    const member = await createUser(a, "tom@acme.test");
    await expectApiError(await member.api(`/tokens/${id}`, { method: "DELETE" }), 404);
    expect((await a.json<{ data: { id: string }[] }>("/tokens")).data.map((t) => t.id)).toContain(
      id,
    );
  });

  it("refuses an expiry in the past", async () => {
    const a = await admin();
    await expectFieldError(
      await a.api("/tokens", { body: { name: "old", expiresAt: Date.now() - 1000 } }),
      "expiresAt",
    );
  });

  it("is the only Bearer /api takes: an arch_ virtual key is 401", async () => {
    const a = await admin();
    const { token } = await a.json<{ token: string }>("/virtual-keys", {
      body: { name: "pt", kind: "passthrough" },
    });
    expect(token).toMatch(/^arch_/);
    await expectApiError(await apiClient(token).api("/me"), 401, "authentication_error");
    await expectApiError(
      await call("/api/me", { headers: { authorization: "Bearer gha_not-a-real-token" } }),
      401,
    );
    await expectApiError(await call("/api/me", { headers: { authorization: "Basic abc" } }), 401);
  });
});
