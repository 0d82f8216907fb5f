// LLM proxies restricted to teams, on the proxy's hot path: the attributed user (the owner of
// the passthrough key, else of the standard key) must be in one of the proxy's teams.
//
// Caches: key records (with their owner's teams) and proxy records (with the proxy's teams)
// live 5 s per isolate. Team and proxy writes drop this isolate's entries at once, which is
// what these tests see (tests and Worker share the isolate); other isolates catch up within
// the 5 s TTL.
import { beforeAll, describe, expect, it } from "vitest";
import { expectApiError } from "./api-helpers";
import {
  type Admin,
  admin,
  call,
  createUser,
  FAKE_SUBSCRIPTION_TOKEN,
  profileHeaders,
  proxyWithKey,
} from "./helpers";

let a: Admin;
let openProxyId: string;
let restrictedProxyId: string;
let teamId: string;
let member: Awaited<ReturnType<typeof createUser>>;
let memberHeaders: Record<string, string>;
let memberPassthrough: string;

const body = JSON.stringify({
  model: "claude-haiku-4-5-20251001",
  max_tokens: 8,
  messages: [{ role: "user", content: "hi" }],
});

const send = (proxyId: string, headers: Record<string, string>) =>
  call(`/v1/anthropic/${proxyId}/v1/messages`, { method: "POST", headers, body });

async function expectOk(res: Response) {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(JSON.parse(text)).toMatchObject({ type: "message" });
}

const notInTeam = /not a member of a team allowed to use this LLM proxy/;

beforeAll(async () => {
  a = await admin();
  const open = await proxyWithKey(a);
  openProxyId = open.proxyId;
  teamId = (await a.json<{ id: string }>("/teams", { body: { name: "Research" } })).id;
  restrictedProxyId = (
    await a.json<{ id: string }>("/llm-proxies", {
      body: { name: "Research only", providerKeyId: open.providerKeyId, teamIds: [teamId] },
    })
  ).id;
  member = await createUser(a, "outsider@acme.test");
  // The member's Connect keys, made for the open proxy: the same keys are then tried on both.
  ({ headers: memberHeaders, passthroughKey: memberPassthrough } = await profileHeaders(
    member,
    openProxyId,
  ));
});

describe("a proxy restricted to teams", () => {
  it("refuses a member outside its teams (403) and serves them on an open proxy", async () => {
    await expectApiError(
      await send(restrictedProxyId, memberHeaders),
      403,
      "permission_error",
      notInTeam,
    );
    await expectOk(await send(openProxyId, memberHeaders));
  });

  it("judges the passthrough key's owner, whatever the credential beside it", async () => {
    const direct = {
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
      authorization: `Bearer ${FAKE_SUBSCRIPTION_TOKEN}`,
      "x-archestra-virtual-key": memberPassthrough,
    };
    await expectApiError(await send(restrictedProxyId, direct), 403, "permission_error", notInTeam);
    // The admin's standard key with the member's passthrough key: still the member's request.
    const adminKeys = await profileHeaders(a, openProxyId);
    await expectApiError(
      await send(restrictedProxyId, {
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
        "x-api-key": adminKeys.standardKey,
        "x-archestra-virtual-key": memberPassthrough,
      }),
      403,
      "permission_error",
      notInTeam,
    );
  });

  it("admits the member on the very next request after they join the team, and not after they leave", async () => {
    // The refusal above is cached with the member's key record; joining must not wait for it.
    await expectApiError(await send(restrictedProxyId, memberHeaders), 403, "permission_error");
    const joined = await a.api(`/teams/${teamId}/members`, { body: { userId: member.id } });
    expect(joined.status).toBe(201);
    await expectOk(await send(restrictedProxyId, memberHeaders));

    const left = await a.api(`/teams/${teamId}/members/${member.id}`, { method: "DELETE" });
    expect(left.status).toBe(204);
    await expectApiError(
      await send(restrictedProxyId, memberHeaders),
      403,
      "permission_error",
      notInTeam,
    );
  });

  it("follows the proxy's teams at once when an admin opens or restricts it", async () => {
    await expectApiError(await send(restrictedProxyId, memberHeaders), 403, "permission_error");
    const opened = await a.api(`/llm-proxies/${restrictedProxyId}`, {
      method: "PATCH",
      body: { teamIds: [] },
    });
    expect(((await opened.json()) as { teamIds: string[] }).teamIds).toEqual([]);
    await expectOk(await send(restrictedProxyId, memberHeaders));

    await a.api(`/llm-proxies/${restrictedProxyId}`, {
      method: "PATCH",
      body: { teamIds: [teamId] },
    });
    await expectApiError(
      await send(restrictedProxyId, memberHeaders),
      403,
      "permission_error",
      notInTeam,
    );
  });

  it("refuses anonymous traffic on a restricted proxy even when the proxy takes anonymous traffic", async () => {
    await a.api(`/llm-proxies/${restrictedProxyId}`, {
      method: "PATCH",
      body: { allowAnonymous: true },
    });
    const res = await send(restrictedProxyId, {
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
      authorization: `Bearer ${FAKE_SUBSCRIPTION_TOKEN}`,
    });
    await expectApiError(res, 403, "permission_error", /restricted to teams/);
    await a.api(`/llm-proxies/${restrictedProxyId}`, {
      method: "PATCH",
      body: { allowAnonymous: false },
    });
  });

  it("refuses the Connect endpoints for a restricted proxy the caller cannot use (403)", async () => {
    for (const path of ["/connection-setups/claude-desktop", "/connection-setups/credentials"]) {
      await expectApiError(
        await member.api(path, { body: { proxyId: restrictedProxyId } }),
        403,
        "permission_error",
        /not a member of a team allowed/,
      );
    }
    // An admin setting up keys for the member is refused for the same reason.
    await expectApiError(
      await a.api("/connection-setups/keys", {
        body: { proxyId: restrictedProxyId, userId: member.id },
      }),
      403,
      "permission_error",
      /This user is not a member/,
    );
    // Members cannot add themselves to a team.
    await expectApiError(
      await member.api(`/teams/${teamId}/members`, { body: { userId: member.id } }),
      403,
      "permission_error",
    );
    await a.api(`/teams/${teamId}/members`, { body: { userId: member.id } });
    const res = await member.api("/connection-setups/credentials", {
      body: { proxyId: restrictedProxyId },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    await a.api(`/teams/${teamId}/members/${member.id}`, { method: "DELETE" });
  });

  it("lists to members only the proxies they may use; admins see all with their teams", async () => {
    const names = async (client: { json: Admin["json"] }) =>
      (await client.json<{ data: { id: string; teamIds: string[] }[] }>("/llm-proxies")).data;
    expect((await names(member)).map((p) => p.id)).toEqual([openProxyId]);
    await expectApiError(await member.api(`/llm-proxies/${restrictedProxyId}`), 404);
    const all = await names(a);
    expect(all.map((p) => [p.id, p.teamIds])).toEqual([
      [openProxyId, []],
      [restrictedProxyId, [teamId]],
    ]);
    await a.api(`/teams/${teamId}/members`, { body: { userId: member.id } });
    expect((await names(member)).map((p) => p.id)).toEqual([openProxyId, restrictedProxyId]);
    await a.api(`/teams/${teamId}/members/${member.id}`, { method: "DELETE" });
  });
});
