// MCP gateways through the admin API: create, change, delete; slugs valid, unique and fixed;
// servers and teams only from the organisation; gateways limited to teams (who may use them,
// as ?usable=true and gatewayAccess answer); and the Claude Desktop profile naming a gateway.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { McpGatewayView, McpServerSaved, TeamView } from "../../shared/api-types";
import { gatewayAccess } from "../../workers/mcp/gateway-access";
import { expectApiError, expectFieldError, otherOrganisation, rows } from "./api-helpers";
import { type Admin, admin, createUser, proxyWithKey } from "./helpers";

let a: Admin;
let serverA: string;
let serverB: string;
let proxyId: string;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
  const make = async (name: string) => {
    await fetch(`${env.FAKE_MCP_URL}/t/gw-${name}/_fake/config`, { method: "PUT", body: "{}" });
    const s = await a.json<McpServerSaved>("/mcp-servers", {
      body: { name, url: `${env.FAKE_MCP_URL}/t/gw-${name}/mcp` },
    });
    return s.id;
  };
  serverA = await make("alpha");
  serverB = await make("beta");
});

async function createGateway(body: Record<string, unknown>): Promise<McpGatewayView> {
  const res = await a.api("/mcp-gateways", { body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as McpGatewayView;
}

async function createTeam(name: string): Promise<string> {
  return (await a.json<TeamView>("/teams", { body: { name } })).id;
}

describe("gateway CRUD", () => {
  it("creates a gateway over two servers with its URL and connector name", async () => {
    const gw = await createGateway({
      slug: "tools",
      name: "Team tools",
      description: "Everything",
      serverIds: [serverB, serverA, serverA],
    });
    expect(gw.id).toMatch(/^mcg_/);
    expect(gw).toMatchObject({
      slug: "tools",
      name: "Team tools",
      description: "Everything",
      serverIds: [serverA, serverB].sort(),
      teamIds: [],
      url: "http://gateway.test/v1/mcp/tools",
      connectorName: "archestra-mcp-tools",
    });
    expect(await a.json<McpGatewayView>(`/mcp-gateways/${gw.id}`)).toEqual(gw);
    const list = await a.json<{ data: McpGatewayView[] }>("/mcp-gateways");
    expect(list.data.find((g) => g.id === gw.id)).toEqual(gw);
    expect(
      (await a.json<{ gatewayIds: string[] }>(`/mcp-servers/${serverA}`)).gatewayIds,
    ).toContain(gw.id);
  });

  it("changes name, servers and teams, keeps the slug, and deletes", async () => {
    const team = await createTeam("Gateway changers");
    const gw = await createGateway({ slug: "changing", name: "Before", serverIds: [serverA] });
    const changed = await a.json<McpGatewayView>(`/mcp-gateways/${gw.id}`, {
      method: "PATCH",
      body: {
        name: "After",
        description: null,
        serverIds: [serverB],
        teamIds: [team],
        slug: "changing",
      },
    });
    expect(changed).toMatchObject({
      slug: "changing",
      name: "After",
      description: null,
      serverIds: [serverB],
      teamIds: [team],
    });
    expect(changed.updatedAt).toBeGreaterThan(gw.updatedAt);
    // Fields not given are left alone.
    const renamed = await a.json<McpGatewayView>(`/mcp-gateways/${gw.id}`, {
      method: "PATCH",
      body: { name: "Renamed" },
    });
    expect(renamed).toMatchObject({ serverIds: [serverB], teamIds: [team] });
    const opened = await a.json<McpGatewayView>(`/mcp-gateways/${gw.id}`, {
      method: "PATCH",
      body: { teamIds: [], serverIds: [] },
    });
    expect(opened).toMatchObject({ serverIds: [], teamIds: [] });

    const del = await a.api(`/mcp-gateways/${gw.id}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    await expectApiError(await a.api(`/mcp-gateways/${gw.id}`), 404, "not_found_error");
    expect(await rows("SELECT * FROM mcp_gateway_servers WHERE gateway_id = ?", gw.id)).toEqual([]);
    expect(await rows("SELECT * FROM mcp_gateway_teams WHERE gateway_id = ?", gw.id)).toEqual([]);
    // The slug is free again.
    await createGateway({ slug: "changing", name: "Again", serverIds: [] });
  });

  it("refuses to change a slug, since clients hold the URL", async () => {
    const gw = await createGateway({ slug: "fixed", name: "Fixed", serverIds: [] });
    await expectFieldError(
      await a.api(`/mcp-gateways/${gw.id}`, { method: "PATCH", body: { slug: "moved" } }),
      "slug",
    );
    expect((await a.json<McpGatewayView>(`/mcp-gateways/${gw.id}`)).slug).toBe("fixed");
  });
});

describe("validation", () => {
  it("refuses bad slugs, and a taken one with 409", async () => {
    for (const slug of ["Upper", "under_score", "-x", "x-", "a".repeat(41), "", "a/b", "a.b"]) {
      await expectFieldError(
        await a.api("/mcp-gateways", { body: { slug, name: "Bad", serverIds: [] } }),
        "slug",
      );
    }
    await createGateway({ slug: "taken", name: "First", serverIds: [] });
    await expectApiError(
      await a.api("/mcp-gateways", {
        body: { slug: "taken", name: "Second", serverIds: [serverA] },
      }),
      409,
      "conflict_error",
      /slug 'taken' is taken/,
    );
    expect(await rows("SELECT id FROM mcp_gateways WHERE slug = 'taken'")).toHaveLength(1);
  });

  it("refuses servers and teams that are not the organisation's, naming the field", async () => {
    const other = await otherOrganisation();
    const theirServer = `mcs_other${other.orgId.slice(-8)}`;
    const theirTeam = `team_other${other.orgId.slice(-8)}`;
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO mcp_servers (id, org_id, name, url, auth_kind, created_at, updated_at) VALUES (?, ?, 'theirs', 'http://127.0.0.1:9/mcp', 'none', 0, 0)",
      ).bind(theirServer, other.orgId),
      env.DB.prepare(
        "INSERT INTO teams (id, org_id, name, created_at, updated_at) VALUES (?, ?, 'Theirs', 0, 0)",
      ).bind(theirTeam, other.orgId),
    ]);
    for (const serverIds of [["mcs_nope"], [serverA, theirServer]]) {
      await expectFieldError(
        await a.api("/mcp-gateways", { body: { slug: "bad-servers", name: "X", serverIds } }),
        "serverIds",
      );
    }
    await expectFieldError(
      await a.api("/mcp-gateways", {
        body: { slug: "bad-teams", name: "X", serverIds: [], teamIds: [theirTeam] },
      }),
      "teamIds",
    );
    await expectFieldError(
      await a.api("/mcp-gateways", { body: { slug: "no-servers", name: "X" } }),
      "serverIds",
    );
    const gw = await createGateway({ slug: "patch-bad", name: "X", serverIds: [] });
    await expectFieldError(
      await a.api(`/mcp-gateways/${gw.id}`, {
        method: "PATCH",
        body: { serverIds: [theirServer] },
      }),
      "serverIds",
    );
    await expectApiError(
      await a.api(`/mcp-gateways/${gw.id}`, { method: "PATCH", body: {} }),
      400,
      "invalid_request_error",
    );
    expect(await rows("SELECT id FROM mcp_gateways WHERE slug LIKE 'bad-%'")).toEqual([]);
  });

  it("never finds another organisation's gateway", async () => {
    const other = await otherOrganisation();
    const id = `mcg_other${other.orgId.slice(-8)}`;
    await env.DB.prepare(
      "INSERT INTO mcp_gateways (id, org_id, slug, name, created_at, updated_at) VALUES (?, ?, ?, 'Theirs', 0, 0)",
    )
      .bind(id, other.orgId, `theirs-${other.orgId.slice(-8)}`)
      .run();
    await expectApiError(await a.api(`/mcp-gateways/${id}`), 404);
    await expectApiError(
      await a.api(`/mcp-gateways/${id}`, { method: "PATCH", body: { name: "Mine" } }),
      404,
    );
    await expectApiError(await a.api(`/mcp-gateways/${id}`, { method: "DELETE" }), 404);
    const list = await a.json<{ data: McpGatewayView[] }>("/mcp-gateways");
    expect(list.data.map((g) => g.id)).not.toContain(id);
  });
});

describe("who may use a gateway", () => {
  it("hides a team-limited gateway from ?usable=true for a non-member until they join", async () => {
    const team = await createTeam("Gateway users");
    const limited = await createGateway({
      slug: "limited",
      name: "Limited",
      serverIds: [serverA],
      teamIds: [team],
    });
    const open = await createGateway({ slug: "open-to-all", name: "Open", serverIds: [serverA] });
    const member = await createUser(a, "gw-member@acme.test");

    const usable = async () =>
      (await member.json<{ data: McpGatewayView[] }>("/mcp-gateways?usable=true")).data.map(
        (g) => g.slug,
      );
    expect(await usable()).toContain("open-to-all");
    expect(await usable()).not.toContain("limited");
    // Without the filter a reader sees every gateway of the organisation.
    const all = await member.json<{ data: McpGatewayView[] }>("/mcp-gateways");
    expect(all.data.map((g) => g.id)).toEqual(expect.arrayContaining([limited.id, open.id]));
    expect(await gatewayAccess(env, limited.id, member.id)).toEqual({
      ok: false,
      reason: "This MCP gateway is limited to teams you are not in.",
    });

    await a.json(`/teams/${team}/members`, { body: { userId: member.id } });
    expect(await usable()).toContain("limited");
    expect(await gatewayAccess(env, limited.id, member.id)).toEqual({ ok: true });
    await expectFieldError(await member.api("/mcp-gateways?usable=maybe"), "usable");
  });

  it("refuses deactivated users, unknown users, other organisations and deleted gateways", async () => {
    const gw = await createGateway({ slug: "access-checks", name: "Checks", serverIds: [] });
    const user = await createUser(a, "gw-leaver@acme.test");
    expect(await gatewayAccess(env, gw.id, user.id)).toEqual({ ok: true });
    const off = await a.api(`/users/${user.id}/deactivate`, { method: "POST" });
    expect(off.status, await off.clone().text()).toBeLessThan(300);
    expect(await gatewayAccess(env, gw.id, user.id)).toEqual({
      ok: false,
      reason: "Your account is deactivated.",
    });
    expect((await gatewayAccess(env, gw.id, "usr_nobody")).ok).toBe(false);
    const other = await otherOrganisation();
    expect(await gatewayAccess(env, gw.id, other.userId)).toEqual({
      ok: false,
      reason: "This MCP gateway belongs to another organisation.",
    });
    expect(await gatewayAccess(env, gw.id, a.userId)).toEqual({ ok: true });
    await a.api(`/mcp-gateways/${gw.id}`, { method: "DELETE" });
    expect((await gatewayAccess(env, gw.id, a.userId)).ok).toBe(false);
  });

  it("lets a member read gateways but not create or change them", async () => {
    const member = await createUser(a, "gw-reader@acme.test");
    const gw = await createGateway({ slug: "read-only", name: "Read only", serverIds: [] });
    expect((await member.api(`/mcp-gateways/${gw.id}`)).status).toBe(200);
    await expectApiError(
      await member.api("/mcp-gateways", { body: { slug: "mine", name: "Mine", serverIds: [] } }),
      403,
      "permission_error",
      /mcpGateway:create/,
    );
    await expectApiError(
      await member.api(`/mcp-gateways/${gw.id}`, { method: "PATCH", body: { name: "Mine" } }),
      403,
    );
    await expectApiError(await member.api(`/mcp-gateways/${gw.id}`, { method: "DELETE" }), 403);
  });
});

describe("the Claude Desktop profile", () => {
  type ProfileAnswer = {
    profile: { mcp?: unknown; inference: { baseUrl: string } };
    preview: { mcp?: unknown };
    content: string;
  };

  it("names the chosen gateway in mcp.managedServers, and nothing without one", async () => {
    const gw = await createGateway({ slug: "desktop", name: "Desktop", serverIds: [serverA] });
    const member = await createUser(a, "gw-desktop@acme.test");
    const withGw = await member.json<ProfileAnswer>("/connection-setups/claude-desktop", {
      body: { proxyId, mcpGatewayId: gw.id },
    });
    const expected = {
      managedServers: [
        {
          name: "archestra-mcp-desktop",
          transport: "http",
          url: "http://gateway.test/v1/mcp/desktop",
          oauth: { mode: "dcr" },
          source: "user",
        },
      ],
    };
    expect(withGw.profile.mcp).toEqual(expected);
    expect(withGw.preview.mcp).toEqual(expected);
    expect(JSON.parse(withGw.content).mcp).toEqual(expected);

    const without = await member.json<ProfileAnswer>("/connection-setups/claude-desktop", {
      body: { proxyId },
    });
    expect(without.profile).not.toHaveProperty("mcp");
    expect(JSON.parse(without.content)).not.toHaveProperty("mcp");
  });

  it("refuses a gateway the caller may not use (403 with the reason) or that is not there (404)", async () => {
    const team = await createTeam("Desktop team");
    const gw = await createGateway({
      slug: "desktop-limited",
      name: "Limited",
      serverIds: [],
      teamIds: [team],
    });
    const member = await createUser(a, "gw-outsider@acme.test");
    const before = await rows("SELECT id FROM virtual_keys WHERE owner_user_id = ?", member.id);
    await expectApiError(
      await member.api("/connection-setups/claude-desktop", {
        body: { proxyId, mcpGatewayId: gw.id },
      }),
      403,
      "permission_error",
      /limited to teams you are not in/,
    );
    // Refused before any Connection key was made.
    expect(await rows("SELECT id FROM virtual_keys WHERE owner_user_id = ?", member.id)).toEqual(
      before,
    );
    await expectApiError(
      await member.api("/connection-setups/claude-desktop", {
        body: { proxyId, mcpGatewayId: "mcg_nope" },
      }),
      404,
      "not_found_error",
    );
    await a.json(`/teams/${team}/members`, { body: { userId: member.id } });
    const allowed = await member.json<ProfileAnswer>("/connection-setups/claude-desktop", {
      body: { proxyId, mcpGatewayId: gw.id },
    });
    expect(JSON.stringify(allowed.profile.mcp)).toContain("/v1/mcp/desktop-limited");
  });
});
