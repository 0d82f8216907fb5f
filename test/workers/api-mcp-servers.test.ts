// Upstream MCP servers through the admin API, against real fake MCP servers built with the SDK:
// the connection test on save (credentials right and wrong, garbage, a hang), credentials never
// returned nor stored in plain text, validation and header injection, tool switches, delete.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { McpServerSaved, McpServerView, McpToolView } from "../../shared/api-types";
import {
  expectApiError,
  expectFieldError,
  otherOrganisation,
  rows,
  wholeDatabaseText,
} from "./api-helpers";
import { type Admin, admin, createUser } from "./helpers";

let a: Admin;

beforeAll(async () => {
  a = await admin();
});

/** A fresh fake upstream tenant, configured; returns its MCP URL. */
async function fake(tenant: string, config: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${env.FAKE_MCP_URL}/t/${tenant}/_fake/config`, {
    method: "PUT",
    body: JSON.stringify(config),
  });
  expect(res.status).toBe(200);
  return `${env.FAKE_MCP_URL}/t/${tenant}/mcp`;
}

async function fakeLog(
  tenant: string,
): Promise<{ rpcMethod: string | null; authorization: string | null }[]> {
  return (await fetch(`${env.FAKE_MCP_URL}/t/${tenant}/_fake/log`)).json();
}

async function createServer(body: Record<string, unknown>): Promise<McpServerSaved> {
  const res = await a.api("/mcp-servers", { body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as McpServerSaved;
}

const names = (tools: McpToolView[]) => tools.map((t) => t.name);

describe("saving a server tests its connection", () => {
  it("lists the tools of an open server, all enabled, and shows them on GET", async () => {
    const url = await fake("srv-open");
    const saved = await createServer({ name: "open", url, description: "Open fake" });
    expect(saved.id).toMatch(/^mcs_/);
    expect(saved).toMatchObject({
      name: "open",
      description: "Open fake",
      url,
      auth: { kind: "none" },
      timeoutMs: 30_000,
      gatewayIds: [],
    });
    expect(saved.test.ok).toBe(true);
    expect(saved.test.error).toBeNull();
    expect(names(saved.test.tools)).toEqual(["add", "echo", "fail", "sleep"]);
    expect(saved.test.tools.every((t) => t.enabled)).toBe(true);
    expect(saved.tools).toEqual(saved.test.tools);
    expect(saved.lastTest).toMatchObject({ ok: true, error: null });

    const one = await a.json<McpServerView>(`/mcp-servers/${saved.id}`);
    expect(names(one.tools)).toEqual(["add", "echo", "fail", "sleep"]);
    expect(one.tools.find((t) => t.name === "echo")?.description).toBe(
      "Echoes text back (srv-open)",
    );
    const list = await a.json<{ data: McpServerView[] }>("/mcp-servers");
    expect(list.data.map((s) => s.name)).toContain("open");
    expect((await fakeLog("srv-open")).map((e) => e.rpcMethod)).toContain("tools/list");
  });

  it("sends a bearer token upstream, shows only its last four, and stores it encrypted", async () => {
    const token = "upstream-bearer-secret-Qz9W";
    const url = await fake("srv-bearer", { requireBearer: token });
    const res = await a.api("/mcp-servers", {
      body: { name: "bearer", url, auth: { kind: "bearer", token } },
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(text).not.toContain(token);
    const saved = JSON.parse(text) as McpServerSaved;
    expect(saved.auth).toEqual({ kind: "bearer", last4: "Qz9W" });
    expect(saved.test).toMatchObject({ ok: true, error: null });
    expect(names(saved.tools)).toContain("echo");
    const seen = await fakeLog("srv-bearer");
    expect(seen.some((e) => e.authorization === `Bearer ${token}`)).toBe(true);

    const [row] = await rows<{ auth_kind: string; auth_ciphertext: string }>(
      "SELECT auth_kind, auth_ciphertext FROM mcp_servers WHERE id = ?",
      saved.id,
    );
    expect(row?.auth_kind).toBe("bearer");
    expect(row?.auth_ciphertext).toMatch(/^v2\./);
    expect(row?.auth_ciphertext).not.toContain(token);
    expect(await wholeDatabaseText()).not.toContain(token);
    expect(await (await a.api(`/mcp-servers/${saved.id}`)).text()).not.toContain(token);
    expect(await (await a.api("/mcp-servers")).text()).not.toContain(token);
  });

  it("fails the test with a clear message for a wrong token, keeps the server, and recovers", async () => {
    const url = await fake("srv-wrong", { requireBearer: "the-right-one" });
    const saved = await createServer({
      name: "wrong-token",
      url,
      auth: { kind: "bearer", token: "the-right-one" },
    });
    expect(saved.test.ok).toBe(true);

    const wrong = await a.json<McpServerSaved>(`/mcp-servers/${saved.id}`, {
      method: "PATCH",
      body: { auth: { kind: "bearer", token: "not-the-right-one" } },
    });
    expect(wrong.test.ok).toBe(false);
    expect(wrong.test.error).toMatch(/refused the gateway's credentials \(HTTP 401\)/);
    expect(wrong.test.tools).toEqual([]);
    expect(wrong.lastTest).toMatchObject({ ok: false, error: wrong.test.error });
    expect(wrong.auth).toEqual({ kind: "bearer", last4: "-one" });
    // A failed test keeps showing the tools last seen.
    expect(names(wrong.tools)).toEqual(["add", "echo", "fail", "sleep"]);

    const back = await a.json<McpServerSaved>(`/mcp-servers/${saved.id}`, {
      method: "PATCH",
      body: { auth: { kind: "bearer", token: "the-right-one" } },
    });
    expect(back.test).toMatchObject({ ok: true, error: null });
    // Changing something else keeps the stored credential (and the test still passes).
    const renamed = await a.json<McpServerSaved>(`/mcp-servers/${saved.id}`, {
      method: "PATCH",
      body: { description: "still authenticated" },
    });
    expect(renamed.description).toBe("still authenticated");
    expect(renamed.test.ok).toBe(true);
    expect(renamed.auth).toEqual({ kind: "bearer", last4: "-one" });
  });

  it("sends static headers upstream, shows only their names, and stores them encrypted", async () => {
    const secret = "header-secret-value-8842";
    const url = await fake("srv-headers", { requireHeader: { name: "X-Api-Key", value: secret } });
    const saved = await createServer({
      name: "headers",
      url,
      auth: { kind: "headers", headers: { "X-Api-Key": secret, "X-Team": "platform" } },
    });
    expect(saved.test).toMatchObject({ ok: true, error: null });
    expect(saved.auth).toEqual({ kind: "headers", headerNames: ["X-Api-Key", "X-Team"] });
    expect(JSON.stringify(saved)).not.toContain(secret);
    expect(await wholeDatabaseText()).not.toContain(secret);

    const missing = await a.json<McpServerSaved>(`/mcp-servers/${saved.id}`, {
      method: "PATCH",
      body: { auth: { kind: "none" } },
    });
    expect(missing.auth).toEqual({ kind: "none" });
    expect(missing.test.ok).toBe(false);
    expect(missing.test.error).toMatch(/HTTP 401/);
    const [row] = await rows<{ auth_ciphertext: string | null; auth_hint: string | null }>(
      "SELECT auth_ciphertext, auth_hint FROM mcp_servers WHERE id = ?",
      saved.id,
    );
    expect(row).toEqual({ auth_ciphertext: null, auth_hint: null });
  });

  it("saves a server whose upstream answers garbage, saying why the test failed", async () => {
    const url = await fake("srv-garbage", { fault: "garbage" });
    const saved = await createServer({ name: "garbage", url });
    expect(saved.test.ok).toBe(false);
    expect(saved.test.error).toMatch(/not JSON|instead of JSON-RPC|not a JSON-RPC/);
    expect(saved.tools).toEqual([]);
    expect(saved.lastTest?.ok).toBe(false);
    const [row] = await rows<{ last_test_error: string }>(
      "SELECT last_test_error FROM mcp_servers WHERE id = ?",
      saved.id,
    );
    expect(row?.last_test_error).toBe(saved.test.error);
  });

  it("gives up on an upstream that never answers after the server's timeout", async () => {
    const url = await fake("srv-hang", { fault: "hang" });
    const saved = await createServer({ name: "hang", url, timeoutMs: 1000 });
    expect(saved.test.ok).toBe(false);
    expect(saved.test.error).toMatch(/did not answer within 1000 ms/);
    expect(saved.test.durationMs).toBeGreaterThanOrEqual(900);
    expect(saved.test.durationMs).toBeLessThan(5000);
  });

  it("fails a test against a closed port with a clear message", async () => {
    const saved = await createServer({ name: "nowhere", url: "http://127.0.0.1:9/mcp" });
    expect(saved.test.ok).toBe(false);
    expect(saved.test.error).toMatch(/could not be reached/);
  });

  it("re-tests on demand and follows the upstream's tool list", async () => {
    const url = await fake("srv-retest");
    const saved = await createServer({ name: "retest", url });
    await fake("srv-retest", { tools: ["echo"], extraTools: [{ name: "search" }] });
    const res = await a.api(`/mcp-servers/${saved.id}/test`, { method: "POST" });
    expect(res.status).toBe(200);
    const result = (await res.json()) as McpServerSaved["test"];
    expect(result.ok).toBe(true);
    expect(names(result.tools)).toEqual(["echo", "search"]);
    const after = await a.json<McpServerView>(`/mcp-servers/${saved.id}`);
    expect(names(after.tools)).toEqual(["echo", "search"]);
  });
});

describe("tool switches", () => {
  it("disables and re-enables a tool; a switch survives re-tests", async () => {
    const url = await fake("srv-switch", { extraTools: [{ name: "files/read me" }] });
    const saved = await createServer({ name: "switch", url });
    const off = await a.json<McpToolView>(`/mcp-servers/${saved.id}/tools/echo`, {
      method: "PATCH",
      body: { enabled: false },
    });
    expect(off).toEqual({
      name: "echo",
      description: "Echoes text back (srv-switch)",
      enabled: false,
    });

    const retest = await a.json<McpServerSaved["test"]>(`/mcp-servers/${saved.id}/test`, {
      method: "POST",
    });
    expect(retest.tools.find((t) => t.name === "echo")?.enabled).toBe(false);
    expect(retest.tools.find((t) => t.name === "add")?.enabled).toBe(true);

    // Tool names travel URL-encoded in the path.
    const odd = await a.json<McpToolView>(
      `/mcp-servers/${saved.id}/tools/${encodeURIComponent("files/read me")}`,
      { method: "PATCH", body: { enabled: false } },
    );
    expect(odd).toMatchObject({ name: "files/read me", enabled: false });

    const on = await a.json<McpToolView>(`/mcp-servers/${saved.id}/tools/echo`, {
      method: "PATCH",
      body: { enabled: true },
    });
    expect(on.enabled).toBe(true);
    const view = await a.json<McpServerView>(`/mcp-servers/${saved.id}`);
    expect(view.tools.filter((t) => !t.enabled).map((t) => t.name)).toEqual(["files/read me"]);
  });

  it("answers 404 for a tool never seen and 400 for a switch that is not a boolean", async () => {
    const url = await fake("srv-switch-bad");
    const saved = await createServer({ name: "switch-bad", url });
    await expectApiError(
      await a.api(`/mcp-servers/${saved.id}/tools/nope`, {
        method: "PATCH",
        body: { enabled: false },
      }),
      404,
      "not_found_error",
      /no tool by that name/,
    );
    await expectFieldError(
      await a.api(`/mcp-servers/${saved.id}/tools/echo`, {
        method: "PATCH",
        body: { enabled: "no" },
      }),
      "enabled",
    );
  });
});

describe("validation", () => {
  let url: string;
  beforeAll(async () => {
    url = await fake("srv-validation");
  });

  it("refuses names that are not short lowercase slugs", async () => {
    for (const name of ["Upper", "under_score", "-edge", "edge-", "a".repeat(33), "", "sp ace"]) {
      await expectFieldError(await a.api("/mcp-servers", { body: { name, url } }), "name");
    }
  });

  it("refuses URLs that are not absolute http(s) without credentials", async () => {
    for (const bad of [
      "ftp://example.com/mcp",
      "/relative/mcp",
      "not a url",
      "https://user:pw@example.com/mcp",
    ]) {
      await expectFieldError(
        await a.api("/mcp-servers", { body: { name: "bad-url", url: bad } }),
        "url",
      );
    }
  });

  it("refuses header injection, reserved headers and too many headers, never echoing values", async () => {
    const cases: Record<string, string>[] = [
      { "X-Key": "value\r\nX-Injected: yes" },
      { "X-Key": "value\nmore" },
      { "Bad Name": "v" },
      { "X-Key:": "v" },
      { Host: "evil.test" },
      { "Mcp-Session-Id": "fixed" },
      { "content-type": "text/plain" },
      { "X-Key": "" },
      Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, "v"])),
      {},
      { "X-Key": "a", "x-key": "b" },
    ];
    for (const headers of cases) {
      const body = await expectFieldError(
        await a.api("/mcp-servers", {
          body: { name: "inject", url, auth: { kind: "headers", headers } },
        }),
        "auth",
      );
      expect(JSON.stringify(body)).not.toContain("X-Injected: yes");
    }
    await expectFieldError(
      await a.api("/mcp-servers", {
        body: { name: "inject", url, auth: { kind: "bearer", token: "two\r\nlines" } },
      }),
      "auth",
    );
    await expectFieldError(
      await a.api("/mcp-servers", { body: { name: "inject", url, auth: { kind: "basic" } } }),
      "auth",
    );
    expect(await rows("SELECT id FROM mcp_servers WHERE name = 'inject'")).toEqual([]);
  });

  it("refuses timeouts out of range and an empty change", async () => {
    for (const timeoutMs of [999, 300_001, 1.5, "30000"]) {
      await expectFieldError(
        await a.api("/mcp-servers", { body: { name: "timeout", url, timeoutMs } }),
        "timeoutMs",
      );
    }
    const saved = await createServer({ name: "patch-empty", url });
    await expectApiError(
      await a.api(`/mcp-servers/${saved.id}`, { method: "PATCH", body: {} }),
      400,
      "invalid_request_error",
    );
  });

  it("refuses a second server of the same name, on create and on rename (409)", async () => {
    await createServer({ name: "twin", url });
    await expectApiError(
      await a.api("/mcp-servers", { body: { name: "twin", url } }),
      409,
      "conflict_error",
      /named 'twin' already exists/,
    );
    const other = await createServer({ name: "twin-b", url });
    await expectApiError(
      await a.api(`/mcp-servers/${other.id}`, { method: "PATCH", body: { name: "twin" } }),
      409,
      "conflict_error",
    );
  });
});

describe("delete and scope", () => {
  it("deletes a server with its tool rows and takes it out of gateways", async () => {
    const url = await fake("srv-delete");
    const saved = await createServer({ name: "doomed", url });
    const gw = await a.json<{ id: string; serverIds: string[] }>("/mcp-gateways", {
      body: { slug: "srv-delete-gw", name: "Delete GW", serverIds: [saved.id] },
    });
    expect(gw.serverIds).toEqual([saved.id]);
    expect((await a.json<McpServerView>(`/mcp-servers/${saved.id}`)).gatewayIds).toEqual([gw.id]);

    const del = await a.api(`/mcp-servers/${saved.id}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    await expectApiError(await a.api(`/mcp-servers/${saved.id}`), 404, "not_found_error");
    expect(await rows("SELECT * FROM mcp_server_tools WHERE server_id = ?", saved.id)).toEqual([]);
    expect((await a.json<{ serverIds: string[] }>(`/mcp-gateways/${gw.id}`)).serverIds).toEqual([]);
    await expectApiError(await a.api(`/mcp-servers/${saved.id}`, { method: "DELETE" }), 404);
  });

  it("never finds another organisation's server", async () => {
    const other = await otherOrganisation();
    const id = `mcs_other${other.orgId.slice(-8)}`;
    await env.DB.prepare(
      "INSERT INTO mcp_servers (id, org_id, name, url, auth_kind, created_at, updated_at) VALUES (?, ?, 'theirs', 'http://127.0.0.1:9/mcp', 'none', 0, 0)",
    )
      .bind(id, other.orgId)
      .run();
    await expectApiError(await a.api(`/mcp-servers/${id}`), 404);
    await expectApiError(await a.api(`/mcp-servers/${id}/test`, { method: "POST" }), 404);
    await expectApiError(await a.api(`/mcp-servers/${id}`, { method: "DELETE" }), 404);
    const list = await a.json<{ data: McpServerView[] }>("/mcp-servers");
    expect(list.data.map((s) => s.id)).not.toContain(id);
  });

  it("lets an editor manage servers but not a member", async () => {
    const editor = await createUser(a, "mcp-editor@acme.test", "editor");
    const member = await createUser(a, "mcp-member@acme.test");
    const url = await fake("srv-roles");
    const res = await editor.api("/mcp-servers", { body: { name: "by-editor", url } });
    expect(res.status).toBe(201);
    await expectApiError(
      await member.api("/mcp-servers", { body: { name: "by-member", url } }),
      403,
      "permission_error",
      /mcpServer:create/,
    );
    await expectApiError(await member.api("/mcp-servers"), 403, "permission_error");
  });
});
