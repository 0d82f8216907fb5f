// Teams through the admin API: create, rename, delete, members; names unique per organisation
// ignoring case; another organisation's ids are never found; proxies restricted to teams.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { LlmProxyView, TeamDetail, TeamView } from "../../shared/api-types";
import { expectApiError, expectFieldError, otherOrganisation, rows } from "./api-helpers";
import { type Admin, admin, createUser, proxyWithKey } from "./helpers";

let a: Admin;
let providerKeyId: string;
let other: Awaited<ReturnType<typeof otherOrganisation>>;
let otherTeamId: string;

beforeAll(async () => {
  a = await admin();
  ({ providerKeyId } = await proxyWithKey(a));
  other = await otherOrganisation();
  otherTeamId = `team_other${other.orgId.slice(-8)}`;
  await env.DB.prepare(
    "INSERT INTO teams (id, org_id, name, created_at, updated_at) VALUES (?, ?, 'Theirs', 0, 0)",
  )
    .bind(otherTeamId, other.orgId)
    .run();
});

const createTeam = async (name: string, description?: string) => {
  const res = await a.api("/teams", { body: { name, description } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as TeamView;
};

describe("team CRUD", () => {
  it("creates, lists with member counts, renames and deletes a team", async () => {
    const team = await createTeam("Platform", "Runs the gateway");
    expect(team).toMatchObject({
      name: "Platform",
      description: "Runs the gateway",
      memberCount: 0,
    });
    expect(team.id).toMatch(/^team_/);

    const u = await createUser(a, "pat@acme.test");
    await a.json(`/teams/${team.id}/members`, { body: { userId: u.id } });
    const list = await a.json<{ data: TeamView[] }>("/teams");
    expect(list.data.find((t) => t.id === team.id)?.memberCount).toBe(1);

    const renamed = await a.json<TeamDetail>(`/teams/${team.id}`, {
      method: "PATCH",
      body: { name: "Platform team", description: null },
    });
    expect(renamed).toMatchObject({ name: "Platform team", description: null, memberCount: 1 });
    expect((await a.json<TeamDetail>(`/teams/${team.id}`)).name).toBe("Platform team");

    const del = await a.api(`/teams/${team.id}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    await expectApiError(await a.api(`/teams/${team.id}`), 404, "not_found_error");
    expect(await rows("SELECT * FROM team_members WHERE team_id = ?", team.id)).toEqual([]);
  });

  it("refuses a second team of the same name in any case, on create and on rename (409)", async () => {
    await createTeam("Design");
    await expectApiError(
      await a.api("/teams", { body: { name: "design" } }),
      409,
      "conflict_error",
      /already exists/,
    );
    const second = await createTeam("Marketing");
    await expectApiError(
      await a.api(`/teams/${second.id}`, { method: "PATCH", body: { name: "DESIGN" } }),
      409,
      "conflict_error",
    );
    // Renaming a team to its own name in another case is fine.
    const same = await a.json<TeamDetail>(`/teams/${second.id}`, {
      method: "PATCH",
      body: { name: "MARKETING" },
    });
    expect(same.name).toBe("MARKETING");
  });

  it("refuses bad input naming the field", async () => {
    await expectFieldError(await a.api("/teams", { body: { name: "" } }), "name");
    await expectApiError(
      await a.api("/teams/does-not-exist", { method: "PATCH", body: {} }),
      400,
      "invalid_request_error",
    );
  });
});

describe("membership", () => {
  it("adds and removes members, shows them on the team, and adding twice changes nothing", async () => {
    const team = await createTeam("Support");
    const u = await createUser(a, "sam@acme.test", "editor");
    const added = await a.api(`/teams/${team.id}/members`, { body: { userId: u.id } });
    expect(added.status).toBe(201);
    const detail = (await added.json()) as TeamDetail;
    expect(detail.members).toEqual([
      expect.objectContaining({ userId: u.id, email: "sam@acme.test", role: "editor" }),
    ]);
    const again = await a.json<TeamDetail>(`/teams/${team.id}/members`, {
      body: { userId: u.id },
    });
    expect(again.memberCount).toBe(1);

    expect((await a.api(`/teams/${team.id}/members/${u.id}`, { method: "DELETE" })).status).toBe(
      204,
    );
    expect((await a.json<TeamDetail>(`/teams/${team.id}`)).members).toEqual([]);
    await expectApiError(
      await a.api(`/teams/${team.id}/members/${u.id}`, { method: "DELETE" }),
      404,
      "not_found_error",
      /not a member/,
    );
  });

  it("refuses a user of another organisation, or nobody, naming userId", async () => {
    const team = await createTeam("Finance");
    await expectFieldError(
      await a.api(`/teams/${team.id}/members`, { body: { userId: other.userId } }),
      "userId",
    );
    await expectFieldError(
      await a.api(`/teams/${team.id}/members`, { body: { userId: "usr_nobody" } }),
      "userId",
    );
  });

  it("needs team permissions: members may not read or change teams, editors may only read", async () => {
    const team = await createTeam("Legal");
    const member = await createUser(a, "mo@acme.test");
    const editor = await createUser(a, "ed@acme.test", "editor");
    await expectApiError(await member.api("/teams"), 403, "permission_error", /team:read/);
    expect((await editor.api("/teams")).status).toBe(200);
    await expectApiError(
      await editor.api(`/teams/${team.id}/members`, { body: { userId: editor.id } }),
      403,
      "permission_error",
      /team:update/,
    );
    await expectApiError(
      await editor.api(`/teams/${team.id}`, { method: "DELETE" }),
      403,
      "permission_error",
    );
  });
});

describe("organisation scope", () => {
  it("never finds another organisation's team", async () => {
    const u = await createUser(a, "scope@acme.test");
    await expectApiError(await a.api(`/teams/${otherTeamId}`), 404, "not_found_error");
    await expectApiError(
      await a.api(`/teams/${otherTeamId}`, { method: "PATCH", body: { name: "Mine now" } }),
      404,
    );
    await expectApiError(await a.api(`/teams/${otherTeamId}`, { method: "DELETE" }), 404);
    await expectApiError(
      await a.api(`/teams/${otherTeamId}/members`, { body: { userId: u.id } }),
      404,
    );
    await expectApiError(
      await a.api(`/teams/${otherTeamId}/members/${other.userId}`, { method: "DELETE" }),
      404,
    );
    const list = await a.json<{ data: TeamView[] }>("/teams");
    expect(list.data.map((t) => t.id)).not.toContain(otherTeamId);
    expect(await rows("SELECT name FROM teams WHERE id = ?", otherTeamId)).toEqual([
      { name: "Theirs" },
    ]);
  });
});

describe("proxies restricted to teams", () => {
  it("takes teamIds on create and update, returns them, and refuses unknown or foreign teams naming teamIds", async () => {
    const team = await createTeam("Data");
    const created = await a.json<LlmProxyView>("/llm-proxies", {
      body: { name: "Data only", providerKeyId, teamIds: [team.id, team.id] },
    });
    expect(created.teamIds).toEqual([team.id]);
    expect((await a.json<LlmProxyView>(`/llm-proxies/${created.id}`)).teamIds).toEqual([team.id]);

    await expectFieldError(
      await a.api("/llm-proxies", { body: { name: "x", providerKeyId, teamIds: [otherTeamId] } }),
      "teamIds",
    );
    await expectFieldError(
      await a.api(`/llm-proxies/${created.id}`, {
        method: "PATCH",
        body: { teamIds: ["team_nope"] },
      }),
      "teamIds",
    );
    // A refused update changes nothing.
    expect((await a.json<LlmProxyView>(`/llm-proxies/${created.id}`)).teamIds).toEqual([team.id]);

    // Leaving teamIds out of an update keeps them; an empty list opens the proxy.
    const renamed = await a.json<LlmProxyView>(`/llm-proxies/${created.id}`, {
      method: "PATCH",
      body: { name: "Data team" },
    });
    expect(renamed.teamIds).toEqual([team.id]);
    const opened = await a.json<LlmProxyView>(`/llm-proxies/${created.id}`, {
      method: "PATCH",
      body: { teamIds: [] },
    });
    expect(opened.teamIds).toEqual([]);
  });

  it("deleting a team removes its memberships and its place on proxies in one go", async () => {
    const keep = await createTeam("Keepers");
    const doomed = await createTeam("Doomed");
    const u = await createUser(a, "dee@acme.test");
    await a.json(`/teams/${doomed.id}/members`, { body: { userId: u.id } });
    const proxy = await a.json<LlmProxyView>("/llm-proxies", {
      body: { name: "Two teams", providerKeyId, teamIds: [keep.id, doomed.id] },
    });
    const detail = await a.json<TeamDetail>(`/teams/${doomed.id}`);
    expect(detail.llmProxyIds).toEqual([proxy.id]);

    expect((await a.api(`/teams/${doomed.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await a.json<LlmProxyView>(`/llm-proxies/${proxy.id}`)).teamIds).toEqual([keep.id]);
    expect(await rows("SELECT * FROM team_members WHERE team_id = ?", doomed.id)).toEqual([]);
    expect(await rows("SELECT * FROM llm_proxy_teams WHERE team_id = ?", doomed.id)).toEqual([]);
  });

  it("deleting a proxy forgets its teams", async () => {
    const team = await createTeam("Ephemeral");
    const proxy = await a.json<LlmProxyView>("/llm-proxies", {
      body: { name: "Short-lived", providerKeyId, teamIds: [team.id] },
    });
    expect((await a.api(`/llm-proxies/${proxy.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await rows("SELECT * FROM llm_proxy_teams WHERE proxy_id = ?", proxy.id)).toEqual([]);
    expect((await a.json<TeamDetail>(`/teams/${team.id}`)).llmProxyIds).toEqual([]);
  });
});
