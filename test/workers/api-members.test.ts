// Members' lifecycle: invitations (create, look up, accept, reuse, expiry, revocation, a
// concurrent double accept), deactivation and reactivation (sessions, API tokens and proxy
// keys), the last-admin rule, and password-reset links.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type {
  CreatedInvitation,
  InvitationLookup,
  InvitationView,
  MemberView,
  PasswordResetLink,
  RoleView,
  TeamDetail,
  UserView,
} from "../../shared/api-types";
import { PERMISSIONS } from "../../workers/api/permissions";
import {
  expectApiError,
  expectFieldError,
  jsonPost,
  rows,
  sha256Hex,
  signIn,
  wholeDatabaseText,
  withCookie,
} from "./api-helpers";
import {
  type Admin,
  admin,
  call,
  createUser,
  ORIGIN,
  profileHeaders,
  proxyWithKey,
} from "./helpers";

let a: Admin;
let proxyId: string;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
});

const PASSWORD = "a brand new password";
const MEMBER_PASSWORD = "member password 123";

async function invite(body: Record<string, unknown>) {
  const res = await a.api("/invitations", { body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as CreatedInvitation;
}

const lookup = (token: string) =>
  call(`/api/invitations/lookup?token=${encodeURIComponent(token)}`);

const accept = (token: string, name = "New Person", password = PASSWORD) =>
  jsonPost("/api/invitations/accept", { token, name, password });

const cookieOf = (res: Response) => res.headers.get("set-cookie")?.split(";")[0] ?? "";

/** The audit entries with this action, once the request's entry has been written. */
async function auditEntries(action: string, atLeast = 1) {
  return vi.waitFor(async () => {
    const found = await rows<{ action: string; status: number; detail: string | null }>(
      "SELECT action, status, detail FROM audit_log WHERE action = ?",
      action,
    );
    if (found.length < atLeast) throw new Error(`no ${action} audit entry yet`);
    return found;
  });
}

/**
 * Holds each D1 batch whose first statement matches `sql` until `n` of them have arrived, then
 * lets them all go: every request has passed its own checks before any of them writes, the
 * race a double click or a replayed link can produce. (Tests and Worker share `env`.) Each
 * request waits on its own timer: a promise resolved by another request would count as hung.
 */
function holdBatches(sql: RegExp, n: number) {
  const real = env.DB.batch.bind(env.DB);
  let arrived = 0;
  const spy = vi.spyOn(env.DB, "batch").mockImplementation(async (statements) => {
    const first = statements[0] as unknown as { statement?: string } | undefined;
    if (sql.test(first?.statement ?? "")) {
      arrived++;
      while (arrived < n) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return real(statements);
  });
  return { count: () => arrived, restore: () => spy.mockRestore() };
}

describe("invitations", () => {
  it("create → look up → accept signs the invitee in with the role and teams chosen", async () => {
    const team = await a.json<{ id: string }>("/teams", { body: { name: "Newcomers" } });
    const created = await invite({
      email: "Invitee@Acme.test",
      role: "editor",
      teamIds: [team.id],
    });
    expect(created).toMatchObject({
      email: "invitee@acme.test",
      role: "editor",
      roleName: "Editor",
      teamIds: [team.id],
      status: "pending",
      acceptedAt: null,
    });
    expect(created.token).toMatch(/^inv_[A-Za-z0-9_-]{43}$/);
    expect(created.url).toBe(`${ORIGIN}/invite/${created.token}`);
    expect(created.expiresAt - created.createdAt).toBe(72 * 60 * 60 * 1000);
    // Only the hash is kept, and the link is not shown again.
    expect(await wholeDatabaseText()).not.toContain(created.token);
    const [stored] = await rows<{ token_hash: string }>(
      "SELECT token_hash FROM invitations WHERE id = ?",
      created.id,
    );
    expect(stored?.token_hash).toBe(await sha256Hex(created.token));
    const listed = await a.json<{ data: InvitationView[] }>("/invitations");
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const looked = await lookup(created.token);
    expect(looked.status).toBe(200);
    expect((await looked.json()) as InvitationLookup).toEqual({
      email: "invitee@acme.test",
      organisationName: "Acme",
      roleName: "Editor",
      expiresAt: created.expiresAt,
    });

    const res = await accept(created.token, "Ivy Invitee");
    expect(res.status, await res.clone().text()).toBe(201);
    const { user } = (await res.json()) as { user: UserView };
    expect(user).toMatchObject({ email: "invitee@acme.test", name: "Ivy Invitee", role: "editor" });
    const me = await withCookie("/api/me", cookieOf(res));
    expect(me.status).toBe(200);
    const { user: signedIn } = (await me.json()) as { user: UserView };
    expect(signedIn.id).toBe(user.id);
    expect(signedIn.permissions).toContain("llmProxy:update");
    expect(signedIn.permissions).not.toContain("member:update");

    const detail = await a.json<TeamDetail>(`/teams/${team.id}`);
    expect(detail.members.map((m) => m.userId)).toEqual([user.id]);
    expect(
      await rows("SELECT origin, status FROM users WHERE email = ?", "invitee@acme.test"),
    ).toEqual([{ origin: "invitation", status: "active" }]);
    await signIn("invitee@acme.test", PASSWORD);

    const after = await a.json<{ data: InvitationView[] }>("/invitations");
    expect(after.data.find((i) => i.id === created.id)).toMatchObject({
      status: "accepted",
      acceptedUserId: user.id,
    });
  });

  it("refuses a used link (410) on lookup and on accept, and audits the refusal", async () => {
    const created = await invite({ email: "twice@acme.test", role: "member" });
    expect((await accept(created.token)).status).toBe(201);
    await expectApiError(
      await lookup(created.token),
      410,
      "invalid_request_error",
      /already been used/,
    );
    await expectApiError(
      await accept(created.token, "Someone Else", "another password 456"),
      410,
      "invalid_request_error",
      /already been used/,
    );
    expect(await rows("SELECT id FROM users WHERE email = ?", "twice@acme.test")).toHaveLength(1);
    const entries = await auditEntries("invitation.accept_refused");
    expect(entries.some((e) => e.status === 410 && /already been used/.test(e.detail ?? ""))).toBe(
      true,
    );
  });

  it("refuses an expired link (410) and makes no account", async () => {
    const created = await invite({ email: "late@acme.test", role: "member" });
    await env.DB.prepare("UPDATE invitations SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1000, created.id)
      .run();
    await expectApiError(await lookup(created.token), 410, "invalid_request_error", /expired/);
    await expectApiError(await accept(created.token), 410, "invalid_request_error", /expired/);
    expect(await rows("SELECT id FROM users WHERE email = ?", "late@acme.test")).toEqual([]);
    const listed = await a.json<{ data: InvitationView[] }>("/invitations");
    expect(listed.data.find((i) => i.id === created.id)?.status).toBe("expired");
  });

  it("refuses a revoked link (410), and a new invitation for the same address retires the old", async () => {
    const first = await invite({ email: "maybe@acme.test", role: "member" });
    const second = await invite({ email: "maybe@acme.test", role: "member" });
    await expectApiError(await accept(first.token), 410, "invalid_request_error", /revoked/);

    expect((await a.api(`/invitations/${second.id}`, { method: "DELETE" })).status).toBe(204);
    await expectApiError(await lookup(second.token), 410, "invalid_request_error", /revoked/);
    await expectApiError(await accept(second.token), 410, "invalid_request_error", /revoked/);
    const listed = await a.json<{ data: InvitationView[] }>("/invitations");
    expect(listed.data.find((i) => i.id === second.id)?.status).toBe("revoked");
    expect(await rows("SELECT id FROM users WHERE email = ?", "maybe@acme.test")).toEqual([]);
  });

  it("creates exactly one account when the same link is accepted twice at once", async () => {
    const created = await invite({ email: "racer@acme.test", role: "member" });
    const held = holdBatches(/UPDATE invitations SET accepted_at/, 3);
    const results = await Promise.all([
      accept(created.token, "Racer One"),
      accept(created.token, "Racer Two"),
      accept(created.token, "Racer Three"),
    ]).finally(() => held.restore());
    expect(held.count()).toBe(3);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 410, 410]);
    for (const r of results.filter((r) => r.status === 410)) {
      await expectApiError(r, 410, "invalid_request_error", /already been used/);
    }
    expect(await rows("SELECT id FROM users WHERE email = ?", "racer@acme.test")).toHaveLength(1);
  });

  it("answers 404 for a link that never existed", async () => {
    await expectApiError(
      await lookup(`inv_${"x".repeat(43)}`),
      404,
      "not_found_error",
      /not valid/,
    );
    await expectApiError(await accept(`inv_${"x".repeat(43)}`), 404, "not_found_error");
    await expectFieldError(await call("/api/invitations/lookup"), "token");
  });

  it("refuses bad invitations: an existing account, unknown teams or roles, too long a life", async () => {
    await expectApiError(
      await a.api("/invitations", { body: { email: "ada@acme.test", role: "member" } }),
      409,
      "conflict_error",
      /already exists/,
    );
    await expectFieldError(
      await a.api("/invitations", {
        body: { email: "t@acme.test", role: "member", teamIds: ["team_nope"] },
      }),
      "teamIds",
    );
    await expectFieldError(
      await a.api("/invitations", { body: { email: "t@acme.test", role: "rol_nope" } }),
      "role",
    );
    await expectFieldError(
      await a.api("/invitations", {
        body: { email: "t@acme.test", role: "member", expiresInHours: 721 },
      }),
      "expiresInHours",
    );
  });

  it("lets nobody invite into a role with more than they hold, and members not at all", async () => {
    const inviter = await a.json<RoleView>("/roles", {
      body: { name: "Inviter", permissions: ["member:create", "member:read"] },
    });
    const u = await createUser(a, "inviter@acme.test", inviter.id);
    await expectApiError(
      await u.api("/invitations", { body: { email: "boss@acme.test", role: "admin" } }),
      403,
      "permission_error",
      /cannot grant/,
    );
    const plain = await createUser(a, "plain@acme.test");
    await expectApiError(
      await plain.api("/invitations", { body: { email: "x@acme.test", role: "member" } }),
      403,
      "permission_error",
      /member:create/,
    );
  });

  it("takes a custom role and shows its name", async () => {
    const role = await a.json<RoleView>("/roles", {
      body: { name: "Cost watcher", permissions: ["cost:read"] },
    });
    const created = await invite({ email: "watcher@acme.test", role: role.id });
    expect(created.roleName).toBe("Cost watcher");
    const looked = (await (await lookup(created.token)).json()) as InvitationLookup;
    expect(looked.roleName).toBe("Cost watcher");
    const res = await accept(created.token);
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as { user: UserView };
    expect(user).toMatchObject({ role: role.id, permissions: ["cost:read"] });
  });
});

describe("deactivation", () => {
  const send = (headers: Record<string, string>) =>
    call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        model: "claude-haiku-4-5-20251001",
        max_tokens: 8,
        messages: [{ role: "user", content: "hi" }],
      }),
    });

  it("stops the member's keys, session and API token on the next request; reactivation restores them", async () => {
    const member = await createUser(a, "leaver@acme.test");
    const { headers } = await profileHeaders(member, proxyId);
    const { cookie } = await signIn("leaver@acme.test", MEMBER_PASSWORD);
    expect((await send(headers)).status).toBe(200);
    expect((await withCookie("/api/me", cookie)).status).toBe(200);

    const res = await a.api(`/users/${member.id}/deactivate`, { method: "POST" });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as MemberView).status).toBe("deactivated");

    await expectApiError(
      await send(headers),
      401,
      "authentication_error",
      /owner has been deactivated/,
    );
    await expectApiError(await withCookie("/api/me", cookie), 401, "authentication_error");
    await expectApiError(await member.api("/me"), 401, "authentication_error");
    await expectApiError(
      await jsonPost("/api/auth/login", { email: "leaver@acme.test", password: MEMBER_PASSWORD }),
      401,
    );
    expect(await rows("SELECT id FROM sessions WHERE user_id = ?", member.id)).toEqual([]);

    const back = await a.api(`/users/${member.id}/reactivate`, { method: "POST" });
    expect(((await back.json()) as MemberView).status).toBe("active");
    expect((await send(headers)).status).toBe(200);
    expect((await member.api("/me")).status).toBe(200);
    const again = await signIn("leaver@acme.test", MEMBER_PASSWORD);
    expect((await withCookie("/api/me", again.cookie)).status).toBe(200);
  });

  it("refuses the keys at the user's gate even where a cached record still says active", async () => {
    const member = await createUser(a, "cached@acme.test");
    const { headers } = await profileHeaders(member, proxyId);
    expect((await a.api(`/users/${member.id}/deactivate`, { method: "POST" })).status).toBe(200);
    // An isolate that loaded the key record before the deactivation still sees "active": the
    // same as D1 saying so. Only the gate Durable Object can refuse then.
    await env.DB.prepare("UPDATE users SET status = 'active' WHERE id = ?").bind(member.id).run();
    await expectApiError(
      await send(headers),
      401,
      "authentication_error",
      /owner has been deactivated/,
    );
    expect((await a.api(`/users/${member.id}/reactivate`, { method: "POST" })).status).toBe(200);
    expect((await send(headers)).status).toBe(200);
  });

  it("refuses deactivating yourself or the last active admin (409)", async () => {
    await expectApiError(
      await a.api(`/users/${a.userId}/deactivate`, { method: "POST" }),
      409,
      "conflict_error",
      /yourself/,
    );
    // Someone holding every permission, without being an admin, meets the last-admin rule.
    const everything = await a.json<RoleView>("/roles", {
      body: { name: "Everything", permissions: [...PERMISSIONS] },
    });
    const root = await createUser(a, "root@acme.test", everything.id);
    await expectApiError(
      await root.api(`/users/${a.userId}/deactivate`, { method: "POST" }),
      409,
      "conflict_error",
      /without an active admin/,
    );
    // With a second admin, one of them can go; then the other is the last.
    const second = await createUser(a, "second-admin@acme.test", "admin");
    expect((await root.api(`/users/${second.id}/deactivate`, { method: "POST" })).status).toBe(200);
    await expectApiError(
      await root.api(`/users/${a.userId}/deactivate`, { method: "POST" }),
      409,
      "conflict_error",
    );
    expect((await a.api("/me")).status).toBe(200);
    expect((await root.api(`/users/${second.id}/reactivate`, { method: "POST" })).status).toBe(200);
  });

  it("lets nobody deactivate or reset someone who holds more than they do", async () => {
    const role = await a.json<RoleView>("/roles", {
      body: { name: "Helpdesk", permissions: ["member:read", "member:update"] },
    });
    const helpdesk = await createUser(a, "helpdesk@acme.test", role.id);
    for (const action of ["deactivate", "password-reset"]) {
      await expectApiError(
        await helpdesk.api(`/users/${a.userId}/${action}`, { method: "POST" }),
        403,
        "permission_error",
        /holds permissions you do not/,
      );
    }
    const member = await createUser(a, "helped@acme.test");
    const editor = await createUser(a, "not-helped@acme.test", "editor");
    await expectApiError(
      await helpdesk.api(`/users/${editor.id}/deactivate`, { method: "POST" }),
      403,
    );
    // Even a plain member holds rights the helpdesk lacks (their own keys): refused, as a
    // role change by the helpdesk would be.
    await expectApiError(
      await helpdesk.api(`/users/${member.id}/deactivate`, { method: "POST" }),
      403,
    );
    await expectApiError(await a.api("/users/usr_nobody/deactivate", { method: "POST" }), 404);
  });
});

describe("password-reset links", () => {
  const useLink = (token: string, password = PASSWORD) =>
    jsonPost("/api/password-resets/accept", { token, password });
  const tokenOf = (link: PasswordResetLink) => link.url.split("/reset-password/")[1] ?? "";

  async function newLink(userId: string) {
    const res = await a.api(`/users/${userId}/password-reset`, { method: "POST" });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as PasswordResetLink;
  }

  it("works once: sets the password, ends the old sessions, signs in", async () => {
    const member = await createUser(a, "forgetful@acme.test");
    const { cookie: oldCookie } = await signIn("forgetful@acme.test", MEMBER_PASSWORD);
    const link = await newLink(member.id);
    expect(link.url).toMatch(new RegExp(`^${ORIGIN}/reset-password/pwr_[A-Za-z0-9_-]{43}$`));
    expect(link.expiresAt - Date.now()).toBeGreaterThan(23.9 * 60 * 60 * 1000);
    expect(await wholeDatabaseText()).not.toContain(tokenOf(link));

    const res = await useLink(tokenOf(link));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { user: UserView }).user.email).toBe("forgetful@acme.test");
    expect((await withCookie("/api/me", cookieOf(res))).status).toBe(200);
    await expectApiError(await withCookie("/api/me", oldCookie), 401);
    await expectApiError(
      await jsonPost("/api/auth/login", {
        email: "forgetful@acme.test",
        password: MEMBER_PASSWORD,
      }),
      401,
    );
    await signIn("forgetful@acme.test", PASSWORD);

    await expectApiError(
      await useLink(tokenOf(link), "yet another password"),
      410,
      "invalid_request_error",
      /already been used/,
    );
    await signIn("forgetful@acme.test", PASSWORD);
    const entries = await auditEntries("passwordReset.accept_refused");
    expect(entries.every((e) => e.status === 410)).toBe(true);
  });

  it("changes the password exactly once when the same link is used twice at once", async () => {
    const member = await createUser(a, "doubleclick@acme.test");
    const token = tokenOf(await newLink(member.id));
    const passwords = ["first new password", "second new password"];
    const held = holdBatches(/DELETE FROM sessions/, 2);
    const results = await Promise.all(passwords.map((p) => useLink(token, p))).finally(() =>
      held.restore(),
    );
    expect(held.count()).toBe(2);
    expect(results.map((r) => r.status).sort()).toEqual([200, 410]);
    const winner = passwords[results.findIndex((r) => r.status === 200)] ?? "";
    const loser = passwords.find((p) => p !== winner) ?? "";
    await expectApiError(
      results.find((r) => r.status === 410) ?? new Response(),
      410,
      "invalid_request_error",
    );
    await signIn("doubleclick@acme.test", winner);
    await expectApiError(
      await jsonPost("/api/auth/login", { email: "doubleclick@acme.test", password: loser }),
      401,
    );
    expect(await rows("SELECT id FROM sessions WHERE user_id = ?", member.id)).toHaveLength(2);
  });

  it("a newer link retires the older one; expired and unknown links are refused (410)", async () => {
    const member = await createUser(a, "twolinks@acme.test");
    const older = await newLink(member.id);
    const newer = await newLink(member.id);
    await expectApiError(await useLink(tokenOf(older)), 410, "invalid_request_error", /newer link/);

    await env.DB.prepare("UPDATE password_resets SET expires_at = ? WHERE token_hash = ?")
      .bind(Date.now() - 1000, await sha256Hex(tokenOf(newer)))
      .run();
    await expectApiError(await useLink(tokenOf(newer)), 410, "invalid_request_error", /expired/);
    await expectApiError(
      await useLink(`pwr_${"y".repeat(43)}`),
      410,
      "invalid_request_error",
      /not valid/,
    );
    await signIn("twolinks@acme.test", MEMBER_PASSWORD);
  });

  it("is refused for a deactivated user (409), and a link made before deactivation stops working", async () => {
    const member = await createUser(a, "paused@acme.test");
    const link = await newLink(member.id);
    await a.api(`/users/${member.id}/deactivate`, { method: "POST" });
    await expectApiError(
      await a.api(`/users/${member.id}/password-reset`, { method: "POST" }),
      409,
      "conflict_error",
      /Reactivate/,
    );
    await expectApiError(await useLink(tokenOf(link)), 410, "invalid_request_error", /deactivated/);
    await a.api(`/users/${member.id}/reactivate`, { method: "POST" });
  });
});
