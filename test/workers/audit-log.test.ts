// The audit log: every /api mutation leaves exactly one entry of its own (refused ones too),
// no entry holds a secret the request carried or the response returned, before/after show the
// change, GET /api/audit filters and pages, and an entry D1 refuses still lands, from the
// spool Durable Object's alarm.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog } from "../../d1/schema";
import type { AuditRow } from "../../durable-objects/audit-spool";
import { AUDIT_SPOOL_NAME } from "../../durable-objects/sign-in-guard";
import type { AuditEntryView } from "../../shared/api-types";
import { deriveNaming } from "../../workers/audit/mutation";
import { REDACTED, redact, scrubText } from "../../workers/audit/redact";
import { expectApiError, rows } from "./api-helpers";
import { type Admin, admin, call, createUser, ORIGIN } from "./helpers";

interface AuditRowText {
  id: string;
  org_id: string | null;
  at: number;
  actor_user_id: string | null;
  actor_email: string | null;
  actor_via: string;
  ip: string | null;
  user_agent: string | null;
  action: string;
  method: string | null;
  path: string | null;
  resource_type: string | null;
  resource_id: string | null;
  status: number;
  outcome: string;
  before: string | null;
  after: string | null;
  detail: string | null;
}

interface AuditPage {
  data: AuditEntryView[];
  nextCursor: string | null;
}

const ADMIN_PASSWORD = "correct horse battery";
const PROVIDER_SECRET = "sk-ant-api03-audit-first-secret-0123456789abcdef";
const ROTATED_SECRET = "sk-ant-api03-audit-rotated-secret-fedcba9876543210";
const MEMBER_PASSWORD = "member password for audit 42";
const WRONG_PASSWORD = "not-the-password-audit-77";

let a: Admin;
let member: Awaited<ReturnType<typeof createUser>>;

/** One request, marked with its own user agent so its entry can be found exactly. */
function send(
  label: string,
  method: string,
  path: string,
  init: { token?: string | null; body?: unknown; ip?: string } = {},
) {
  const token = init.token === undefined ? a.token : init.token;
  return call(`/api${path}`, {
    method,
    headers: {
      "user-agent": `audit-test/${label}`,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.ip ? { "cf-connecting-ip": init.ip } : {}),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

async function entriesFor(label: string) {
  return rows<AuditRowText>("SELECT * FROM audit_log WHERE user_agent = ?", `audit-test/${label}`);
}

/** The one entry a request left; waits for it (it is written after the response). */
async function entryOf(label: string): Promise<AuditRowText> {
  return vi.waitFor(
    async () => {
      const found = await entriesFor(label);
      if (found.length === 0) throw new Error(`no audit entry yet for ${label}`);
      expect(found, label).toHaveLength(1);
      return found[0] as AuditRowText;
    },
    { timeout: 5000, interval: 20 },
  );
}

const parse = (text: string | null) => (text === null ? null : JSON.parse(text));

beforeAll(async () => {
  a = await admin();
  member = await createUser(a, "mia@acme.test");
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("redaction", () => {
  it("replaces secret fields and credential-looking strings, and keeps public ids", () => {
    const input = {
      name: "Main",
      secret: "anything at all",
      password: "hunter2hunter2",
      token: null,
      apiKey: "x",
      clientSecret: "cs",
      oidcClientSecret: "ocs",
      authorization: "Bearer abc",
      webhookSecret: "w",
      refreshToken: "r",
      adminPassword: "p",
      nested: [{ oidc: { clientSecret: "deep" } }, "see arch_AbCdEfGh123 here"],
      content: '{"apiKey":"arch_zzzzzzzzzzzzzzzzzzzz","v":"sk-ant-oat01-xyzxyzxyz"}',
      ids: ["ses_0123456789abcdefghij", "inv_abcdefghij0123456789", "prx_abc"],
      tokens: ["gha_Q2xhdWRl", "ses_Zm9vYmFyYmF6cXV4LWxvbmdlci10aGFuLWFuLWlk", "pwr_AAAA-BBBB"],
      research_notes: "search_term stays",
      maxTokens: 100,
    };
    const out = redact(input) as Record<string, unknown>;
    expect(out).toEqual({
      name: "Main",
      secret: REDACTED,
      password: REDACTED,
      token: null,
      apiKey: REDACTED,
      clientSecret: REDACTED,
      oidcClientSecret: REDACTED,
      authorization: REDACTED,
      webhookSecret: REDACTED,
      refreshToken: REDACTED,
      adminPassword: REDACTED,
      nested: [{ oidc: { clientSecret: REDACTED } }, `see ${REDACTED} here`],
      content: `{"apiKey":"${REDACTED}","v":"${REDACTED}"}`,
      ids: ["ses_0123456789abcdefghij", "inv_abcdefghij0123456789", "prx_abc"],
      tokens: [REDACTED, REDACTED, REDACTED],
      research_notes: "search_term stays",
      maxTokens: 100,
    });
    expect(scrubText("/api/invitations/inv_Zm9vYmFyYmF6cXV4LWxvbmdlci10aGFu/accept")).toBe(
      `/api/invitations/${REDACTED}/accept`,
    );
  });

  it("derives action names from method and path", () => {
    expect(deriveNaming("post", "/llm-proxies")).toEqual({
      action: "llmProxy.create",
      resourceType: "llmProxy",
    });
    expect(deriveNaming("patch", "/users/:id").action).toBe("user.update");
    expect(deriveNaming("post", "/virtual-keys/:id/reveal").action).toBe("virtualKey.reveal");
    expect(deriveNaming("post", "/auth/login").action).toBe("auth.login");
    expect(deriveNaming("delete", "/teams/:id/members/:userId").action).toBe("team.members.delete");
    expect(deriveNaming("post", "/x", { resource: "llmProxy", action: "import" }).action).toBe(
      "llmProxy.import",
    );
  });
});

describe("every mutation", () => {
  it("leaves exactly one entry of its own, and none holds a secret", {
    timeout: 30_000,
  }, async () => {
    const secrets = [ADMIN_PASSWORD, PROVIDER_SECRET, ROTATED_SECRET, MEMBER_PASSWORD];
    secrets.push(WRONG_PASSWORD, a.token, member.token);
    const expected: { label: string; method: string; path: string; status: number }[] = [];
    const step = async (
      label: string,
      method: string,
      path: string,
      init: Parameters<typeof send>[3] = {},
    ) => {
      const res = await send(label, method, path, init);
      const text = await res.text();
      expected.push({ label, method, path: `/api${path}`, status: res.status });
      return { status: res.status, json: text ? JSON.parse(text) : null };
    };

    const pk = await step("pk-create", "POST", "/provider-keys", {
      body: { name: "Audit key", provider: "anthropic", secret: PROVIDER_SECRET },
    });
    expect(pk.status).toBe(201);
    await step("pk-rotate", "PATCH", `/provider-keys/${pk.json.id}`, {
      body: { name: "Audit key (rotated)", secret: ROTATED_SECRET },
    });
    const proxy = await step("proxy-create", "POST", "/llm-proxies", {
      body: { name: "Audited", providerKeyId: pk.json.id },
    });
    expect(proxy.status).toBe(201);
    await step("proxy-rename", "PATCH", `/llm-proxies/${proxy.json.id}`, {
      body: { name: "Audited, renamed" },
    });
    const vk = await step("vk-create", "POST", "/virtual-keys", {
      body: { name: "Audit key for Mia", kind: "passthrough", ownerUserId: member.id },
    });
    expect(vk.status).toBe(201);
    secrets.push(vk.json.token);
    const revealed = await step("vk-reveal", "POST", `/virtual-keys/${vk.json.id}/reveal`);
    if (revealed.json?.token) secrets.push(revealed.json.token);
    await step("vk-revoke", "DELETE", `/virtual-keys/${vk.json.id}`);
    const limit = await step("limit-create", "POST", "/limits", {
      body: {
        name: "Audit budget",
        scope: "organisation",
        metric: "cost",
        window: "month",
        amountUsd: 10,
      },
    });
    expect(limit.status).toBe(201);
    await step("limit-update", "PATCH", `/limits/${limit.json.id}`, { body: { name: "Renamed" } });
    await step("limit-delete", "DELETE", `/limits/${limit.json.id}`);
    const user = await step("user-create", "POST", "/users", {
      body: { email: "otto@acme.test", name: "Otto", role: "member", password: MEMBER_PASSWORD },
    });
    expect(user.status).toBe(201);
    await step("user-role", "PATCH", `/users/${user.json.id}`, { body: { role: "editor" } });
    const role = await step("role-create", "POST", "/roles", {
      body: { name: "Audit readers", permissions: ["audit:read", "log:read"] },
    });
    expect(role.status).toBe(201);
    await step("role-update", "PATCH", `/roles/${role.json.id}`, {
      body: { permissions: ["audit:read"] },
    });
    await step("role-delete", "DELETE", `/roles/${role.json.id}`);
    const badLogin = await step("login-wrong", "POST", "/auth/login", {
      token: null,
      body: { email: "otto@acme.test", password: WRONG_PASSWORD },
    });
    expect(badLogin.status).toBe(401);
    const login = await step("login-right", "POST", "/auth/login", {
      token: null,
      body: { email: "otto@acme.test", password: MEMBER_PASSWORD },
    });
    expect(login.status).toBe(200);
    const forbidden = await step("member-create-proxy", "POST", "/llm-proxies", {
      token: member.token,
      body: { name: "Not allowed", providerKeyId: pk.json.id },
    });
    expect(forbidden.status).toBe(403);
    const anonymous = await step("anonymous-delete", "DELETE", `/llm-proxies/${proxy.json.id}`, {
      token: null,
    });
    expect(anonymous.status).toBe(401);
    const invalid = await step("invalid-body", "POST", "/llm-proxies", { body: { name: "" } });
    expect(invalid.status).toBe(400);
    await step("setup-again", "POST", "/setup", {
      token: null,
      body: {
        organisationName: "Again",
        name: "Eve",
        email: "eve@x.test",
        password: "x".repeat(12),
      },
    });

    for (const e of expected) {
      const row = await entryOf(e.label);
      expect(row, e.label).toMatchObject({ method: e.method, path: e.path, status: e.status });
      expect(row.outcome, e.label).toBe(
        e.status >= 500 ? "error" : e.status >= 400 ? "denied" : "success",
      );
    }

    // The first-run setup made by admin() has its own single entry too.
    const setups = await rows<AuditRowText>(
      "SELECT * FROM audit_log WHERE action = 'organisation.setup'",
    );
    expect(setups).toHaveLength(1);
    expect(setups[0]).toMatchObject({ method: "POST", path: "/api/setup", status: 201 });
    expect(setups[0]?.actor_user_id).toBe(a.userId);

    const everything = JSON.stringify(await rows("SELECT * FROM audit_log"));
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/(?<![A-Za-z0-9])(arch|gha)_[A-Za-z0-9_-]{4,}/);
    expect(everything).not.toMatch(/sk-ant-[A-Za-z0-9_-]{4,}/);
  });

  it("names the change and its actor, with before and after", async () => {
    const rename = await entryOf("proxy-rename");
    expect(rename).toMatchObject({
      action: "llmProxy.update",
      resource_type: "llmProxy",
      actor_user_id: a.userId,
      actor_email: "ada@acme.test",
      actor_via: "token",
      org_id: a.orgId,
    });
    expect(parse(rename.before)).toMatchObject({ name: "Audited" });
    expect(parse(rename.after)).toMatchObject({ name: "Audited, renamed" });
    expect(rename.resource_id).toBe(parse(rename.after).id);

    // No GET /provider-keys/:id: the snapshot comes from the list, secret-free either way.
    const rotate = await entryOf("pk-rotate");
    expect(parse(rotate.before)).toMatchObject({ name: "Audit key" });
    expect(parse(rotate.after)).toMatchObject({ name: "Audit key (rotated)" });

    const created = await entryOf("proxy-create");
    expect(created.action).toBe("llmProxy.create");
    expect(created.resource_id).toBe(parse(created.after).id);
    expect(created.before).toBeNull();

    const role = await entryOf("user-role");
    expect(parse(role.before)).toMatchObject({ email: "otto@acme.test", role: "member" });
    expect(parse(role.after)).toMatchObject({ role: "editor" });

    const deleted = await entryOf("limit-delete");
    expect(deleted.action).toBe("limit.delete");
    expect(parse(deleted.before)).toMatchObject({ name: "Renamed" });

    const vk = await entryOf("vk-create");
    expect(parse(vk.after)).toMatchObject({ token: REDACTED });
  });

  it("records refusals with who tried, and failed sign-ins without the password", async () => {
    const forbidden = await entryOf("member-create-proxy");
    expect(forbidden).toMatchObject({
      action: "llmProxy.create",
      outcome: "denied",
      status: 403,
      actor_user_id: member.id,
    });
    expect(forbidden.after).toBeNull();
    expect(forbidden.detail).toMatch(/llmProxy:create/);

    const anonymous = await entryOf("anonymous-delete");
    expect(anonymous).toMatchObject({
      actor_via: "anonymous",
      actor_user_id: null,
      status: 401,
      org_id: a.orgId,
    });

    const wrong = await entryOf("login-wrong");
    expect(wrong).toMatchObject({
      action: "auth.login_failed",
      actor_email: "otto@acme.test",
      actor_user_id: null,
      org_id: a.orgId,
      resource_type: "user",
      status: 401,
    });
    const right = await entryOf("login-right");
    expect(right).toMatchObject({ action: "auth.login", actor_via: "password", status: 200 });
  });
});

describe("GET /api/audit", () => {
  const list = (query = "", token?: string) =>
    call(`/api/audit${query}`, { headers: { authorization: `Bearer ${token ?? a.token}` } });

  it("refuses callers without audit:read", async () => {
    await expectApiError(await list("", member.token), 403, "permission_error", /audit:read/);
    const editor = await createUser(a, "eddie-audit@acme.test", "editor");
    await expectApiError(await list("", editor.token), 403, "permission_error");
    await expectApiError(await call("/api/audit"), 401, "authentication_error");
  });

  it("lists newest first and pages with a cursor, without gaps or repeats", async () => {
    const all = (await (await list("?limit=200")).json()) as AuditPage;
    expect(all.data.length).toBeGreaterThan(10);
    const times = all.data.map((e) => e.at);
    expect(times).toEqual([...times].sort((x, y) => y - x));
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = (await (
        await list(`?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)
      ).json()) as AuditPage;
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.nextCursor;
    }
    // Entries written meanwhile are newer than the first page, so the walk sees the same set.
    expect(seen.slice(0, all.data.length)).toEqual(all.data.map((e) => e.id));
    await expectApiError(await list("?cursor=bm9wZQ"), 400, "invalid_request_error", /cursor/);
  });

  it("filters by action prefix, resource, actor, outcome and time", async () => {
    const get = async (q: string) => ((await (await list(q)).json()) as AuditPage).data;

    const proxies = await get("?action=llmProxy&limit=200");
    expect(proxies.length).toBeGreaterThanOrEqual(3);
    expect(proxies.every((e) => e.action.startsWith("llmProxy"))).toBe(true);

    const rename = await entryOf("proxy-rename");
    const about = await get(`?resourceType=llmProxy&resourceId=${rename.resource_id}`);
    // The anonymous DELETE (refused) counts as the installation's organisation's, so it is here.
    expect(about.map((e) => e.action).sort()).toEqual([
      "llmProxy.create",
      "llmProxy.delete",
      "llmProxy.update",
    ]);
    const view = about.find((e) => e.id === rename.id);
    expect(view).toMatchObject({
      actor: { userId: a.userId, email: "ada@acme.test", via: "token" },
      method: "PATCH",
      before: { name: "Audited" },
      after: { name: "Audited, renamed" },
    });

    const byMember = await get(`?actorUserId=${member.id}&limit=200`);
    expect(byMember.length).toBeGreaterThan(0);
    expect(byMember.every((e) => e.actor.userId === member.id)).toBe(true);

    const denied = await get("?outcome=denied&limit=200");
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((e) => e.outcome === "denied" && e.status >= 400)).toBe(true);

    const at = new Date(rename.at).toISOString();
    const exactly = await get(`?from=${at}&to=${at}&resourceId=${rename.resource_id}`);
    expect(exactly.map((e) => e.id)).toContain(rename.id);
    const later = new Date(rename.at + 1).toISOString();
    const none = await get(`?from=${later}&to=${later}&resourceId=${rename.resource_id}`);
    expect(none.map((e) => e.id)).not.toContain(rename.id);

    await expectApiError(await list("?outcome=maybe"), 400, "invalid_request_error", /outcome/);
    await expectApiError(await list("?from=yesterday"), 400, "invalid_request_error", /from/);
  });
});

describe("when D1 refuses the entry", () => {
  const spool = () => env.SIGN_IN_GUARD.get(env.SIGN_IN_GUARD.idFromName(AUDIT_SPOOL_NAME));

  function failAuditInserts() {
    const prepare = env.DB.prepare.bind(env.DB);
    return vi.spyOn(env.DB, "prepare").mockImplementation((query: string) => {
      if (/insert into "audit_log"/i.test(query)) throw new Error("D1 is having a bad day");
      return prepare(query);
    });
  }

  it("keeps it in the spool and lands it from the alarm", async () => {
    const spy = failAuditInserts();
    const res = await send("while-d1-fails", "POST", "/roles", {
      body: { name: "Spooled role", permissions: ["log:read"] },
    });
    expect(res.status).toBe(201);
    await vi.waitFor(async () => expect(await spool().spooled()).toBe(1), {
      timeout: 5000,
      interval: 20,
    });
    expect(await entriesFor("while-d1-fails")).toHaveLength(0);

    // Still failing: the alarm keeps the entry and tries again later.
    expect(await runDurableObjectAlarm(spool())).toBe(true);
    expect(await spool().spooled()).toBe(1);
    const retryAt = await runInDurableObject(spool(), (_, state) => state.storage.getAlarm());
    expect(retryAt).toBeGreaterThan(Date.now());

    spy.mockRestore();
    expect(await runDurableObjectAlarm(spool())).toBe(true);
    expect(await spool().spooled()).toBe(0);
    const row = await entryOf("while-d1-fails");
    expect(row).toMatchObject({ action: "role.create", status: 201, actor_user_id: a.userId });
    expect(parse(row.after)).toMatchObject({ name: "Spooled role" });

    // A repeat of the same flush (an alarm retried after a lost answer) adds nothing.
    const [stored] = await drizzle(env.DB).select().from(auditLog).where(eq(auditLog.id, row.id));
    expect(stored).toBeDefined();
    await spool().spool([stored as AuditRow]);
    await runDurableObjectAlarm(spool());
    expect(await entriesFor("while-d1-fails")).toHaveLength(1);
  });
});

describe("entries from a request", () => {
  it("record the client address and a bounded user agent", async () => {
    const res = await call("/api/llm-proxies", {
      method: "POST",
      headers: {
        authorization: `Bearer ${a.token}`,
        "content-type": "application/json",
        "cf-connecting-ip": "192.0.2.44",
        "user-agent": `audit-test/long-${"x".repeat(1000)}`,
        origin: ORIGIN,
      },
      body: "{}",
    });
    expect(res.status).toBe(400);
    const found = await vi.waitFor(
      async () => {
        const r = await rows<AuditRowText>("SELECT * FROM audit_log WHERE ip = '192.0.2.44'");
        if (r.length === 0) throw new Error("not yet");
        return r;
      },
      { timeout: 5000, interval: 20 },
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.user_agent?.length).toBe(256);
  });
});
