// Access tokens are bound to one gateway (audience), and connected clients can be listed and
// revoked: by their user, and by admins for anyone (member:read / member:update).
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { McpConnectionView } from "../../shared/api-types";
import { authorizationServerFor } from "../../workers/oauth/server";
import { expectApiError } from "./api-helpers";
import { admin, createUser } from "./helpers";
import {
  at,
  connectClient,
  createGateway,
  MEMBER_PASSWORD,
  OAUTH_ORIGIN,
  resourceOf,
  sessionCookie,
} from "./oauth-helpers";

beforeAll(async () => {
  const a = await admin();
  await createGateway(a, "alpha");
  await createGateway(a, "beta");
});

async function validate(slug: string, token: string) {
  const server = await authorizationServerFor(env, OAUTH_ORIGIN, slug);
  return server.validateToken(resourceOf(slug), token, env);
}

/** The connections API at the loopback origin, as the dashboard calls it. */
function connections(session: string, path = "", method = "GET") {
  return at(`/api/oauth/connections${path}`, {
    method,
    headers: { cookie: session, origin: OAUTH_ORIGIN },
  });
}

async function listOf(session: string, query = ""): Promise<McpConnectionView[]> {
  const res = await connections(session, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { data: McpConnectionView[] }).data;
}

describe("audience", () => {
  it("a token for gateway alpha is valid at alpha only", async () => {
    const { tokens } = await connectClient("alpha", { clientName: "Aud Client" });
    const atAlpha = await validate("alpha", tokens.access_token);
    expect(atAlpha?.audience).toBe(resourceOf("alpha"));
    expect(atAlpha?.scope.sort()).toEqual(["mcp", "offline_access"]);
    expect(atAlpha?.props).toMatchObject({ gatewaySlug: "alpha", clientName: "Aud Client" });
    expect(await validate("beta", tokens.access_token)).toBeNull();
  });

  it("a refresh for alpha cannot be retargeted to beta", async () => {
    const { client, tokens } = await connectClient("alpha");
    const res = await at("/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token ?? "",
        client_id: client.client_id,
        resource: resourceOf("beta"),
      }).toString(),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_target");
  });
});

describe("connected clients", () => {
  it("lists the caller's connections with client and gateway, and revoking one kills its tokens", async () => {
    const a = await admin();
    const member = await createUser(a, "conn@acme.test");
    const session = await sessionCookie("conn@acme.test", MEMBER_PASSWORD);
    const { client, tokens } = await connectClient("beta", { session, clientName: "Desk App" });
    const mine = await listOf(session);
    expect(mine).toHaveLength(1);
    const grant = mine[0] as McpConnectionView;
    expect(grant.user).toEqual({ id: member.id, email: "conn@acme.test" });
    expect(grant.client).toEqual({ id: client.client_id, name: "Desk App" });
    expect(grant.gateway).toEqual({ slug: "beta", name: "Gateway beta" });
    expect(grant.scopes.sort()).toEqual(["mcp", "offline_access"]);
    expect(grant.createdAt).toBeGreaterThan(Date.now() - 60_000);
    expect(await validate("beta", tokens.access_token)).not.toBeNull();

    const res = await connections(session, `/${member.id}/${grant.id}`, "DELETE");
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await validate("beta", tokens.access_token)).toBeNull();
    expect(await listOf(session)).toEqual([]);
    await expectApiError(await connections(session, `/${member.id}/${grant.id}`, "DELETE"), 404);
  });

  it("a member sees and revokes only their own; an admin sees and revokes anyone's", async () => {
    const a = await admin();
    const owner = await createUser(a, "owner@acme.test");
    await createUser(a, "nosy@acme.test");
    const ownerSession = await sessionCookie("owner@acme.test", MEMBER_PASSWORD);
    const nosy = await sessionCookie("nosy@acme.test", MEMBER_PASSWORD);
    const { tokens } = await connectClient("alpha", { session: ownerSession });
    const [grant] = await listOf(ownerSession);
    if (!grant) throw new Error("no grant listed");

    expect(await listOf(nosy)).toEqual([]);
    await expectApiError(await connections(nosy, `?userId=${owner.id}`), 403, "permission_error");
    await expectApiError(await connections(nosy, "?all=true"), 403, "permission_error");
    await expectApiError(
      await connections(nosy, `/${owner.id}/${grant.id}`, "DELETE"),
      403,
      "permission_error",
    );

    const adminSession = await sessionCookie("ada@acme.test", "correct horse battery");
    const theirs = await listOf(adminSession, `?userId=${owner.id}`);
    expect(theirs.map((g) => g.id)).toEqual([grant.id]);
    const everyone = await listOf(adminSession, "?all=true");
    expect(everyone.map((g) => g.id)).toContain(grant.id);
    expect(everyone.find((g) => g.id === grant.id)?.user.email).toBe("owner@acme.test");
    await expectApiError(await connections(adminSession, "?userId=usr_nobody"), 404);

    const res = await connections(adminSession, `/${owner.id}/${grant.id}`, "DELETE");
    expect(res.status).toBe(204);
    expect(await validate("alpha", tokens.access_token)).toBeNull();
  });
});
