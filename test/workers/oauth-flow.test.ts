// The authorization-code flow end to end through the Worker: /authorize, the consent API
// (Allow, Deny, refusals), the code exchange with PKCE, refresh-token rotation.
import { beforeAll, describe, expect, it } from "vitest";
import { expectApiError } from "./api-helpers";
import { admin, createUser } from "./helpers";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  at,
  authorizeQuery,
  connectClient,
  consentApi,
  createGateway,
  decide,
  MEMBER_PASSWORD,
  pkce,
  registerClient,
  resourceOf,
  sessionCookie,
  startConsent,
  type TokenSet,
  tokenRequest,
} from "./oauth-helpers";

const SLUG = "flow";
const REDIRECT = "http://localhost:4567/callback";
const EXPIRED = /consent page has expired/;

beforeAll(async () => {
  const a = await admin();
  await createGateway(a, SLUG);
});

async function adminSession() {
  return sessionCookie(ADMIN_EMAIL, ADMIN_PASSWORD);
}

/** A registered client and a valid authorize query for the gateway. */
async function authorization(scope = "mcp offline_access", state = "state-123") {
  const client = await registerClient({ client_name: "Flow Client", redirect_uris: [REDIRECT] });
  const { verifier, challenge } = await pkce();
  const query = authorizeQuery({
    clientId: client.client_id,
    redirectUri: REDIRECT,
    challenge,
    resource: resourceOf(SLUG),
    scope,
    state,
  });
  return { client, verifier, query };
}

describe("/authorize", () => {
  it("sends an unknown client to the consent page's error, never to the redirect URI", async () => {
    const query = authorizeQuery({
      clientId: "no-such-client",
      redirectUri: REDIRECT,
      challenge: "x",
    });
    const res = await at(`/authorize?${query}`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "", "http://localhost");
    expect(location.pathname).toBe("/oauth/consent");
    expect(location.searchParams.get("error")).toMatch(/client/i);
    expect(res.headers.get("location")).not.toContain("4567");
  });

  it("sends a client that skips PKCE back to its redirect URI with invalid_request", async () => {
    const client = await registerClient({ redirect_uris: [REDIRECT] });
    const query = authorizeQuery({
      clientId: client.client_id,
      redirectUri: REDIRECT,
      resource: resourceOf(SLUG),
      state: "s-pkce",
    });
    const res = await at(`/authorize?${query}`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("state")).toBe("s-pkce");
  });

  it("refuses a resource that is not a gateway, back at the client (invalid_target)", async () => {
    const client = await registerClient({ redirect_uris: [REDIRECT] });
    const { challenge } = await pkce();
    const query = authorizeQuery({
      clientId: client.client_id,
      redirectUri: REDIRECT,
      challenge,
      resource: resourceOf("not-a-gateway"),
    });
    const res = await at(`/authorize?${query}`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_target");
  });

  it("sends a valid request to the consent page with its query", async () => {
    const { query } = await authorization();
    const res = await at(`/authorize?${query}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/oauth/consent?${query}`);
  });
});

describe("the consent API", () => {
  it("describes the request, and binds the handle to this browser", async () => {
    const { query } = await authorization();
    const { res, view } = await startConsent(await adminSession(), query);
    expect(view.client.name).toBe("Flow Client");
    expect(view.gateway.slug).toBe(SLUG);
    expect(view.gateway.name).toBe(`Gateway ${SLUG}`);
    expect(view.scopes).toEqual(["mcp", "offline_access"]);
    expect(view.redirectHost).toBe("localhost");
    expect(view.redirectIsLoopback).toBe(true);
    expect(view.allowed).toBe(true);
    expect(view.reason).toBeNull();
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.getAll("set-cookie").join("\n")).toMatch(
      /__Host-oauth-consent[^=]*=.+; Path=\/; Secure; HttpOnly/,
    );
  });

  it("needs a signed-in user", async () => {
    const { query } = await authorization();
    await expectApiError(await consentApi("/consents", "", { query }), 401);
  });

  it("answers 400 with the library's reason for a bad request", async () => {
    const query = authorizeQuery({
      clientId: "no-such-client",
      redirectUri: REDIRECT,
      challenge: "x",
    });
    await expectApiError(
      await consentApi("/consents", await adminSession(), { query }),
      400,
      "invalid_request_error",
      /client/i,
    );
    await expectApiError(
      await consentApi("/consents", await adminSession(), { query: "x".repeat(9000) }),
      400,
    );
  });

  it("refuses a decision from another browser, or a used handle", async () => {
    const session = await adminSession();
    const { query } = await authorization();
    const { view, cookie } = await startConsent(session, query);
    await expectApiError(await decide(session, view.handle, "allow"), 400, undefined, EXPIRED);
    const first = await decide(cookie, view.handle, "deny");
    expect(first.status).toBe(200);
    await expectApiError(await decide(cookie, view.handle, "allow"), 400, undefined, EXPIRED);
  });

  it("Deny sends the browser back to the client with access_denied and the state", async () => {
    const { query } = await authorization("mcp", "deny-state");
    const { view, cookie } = await startConsent(await adminSession(), query);
    const res = await decide(cookie, view.handle, "deny");
    expect(res.status).toBe(200);
    const { redirectTo } = (await res.json()) as { redirectTo: string };
    const url = new URL(redirectTo);
    expect(url.origin + url.pathname).toBe(REDIRECT);
    expect(url.searchParams.get("error")).toBe("access_denied");
    expect(url.searchParams.get("state")).toBe("deny-state");
    expect(url.searchParams.get("iss")).toBe("http://localhost");
    expect(url.searchParams.get("code")).toBeNull();
    expect(res.headers.getAll("set-cookie").join("\n")).toMatch(
      /__Host-oauth-consent[^=]*=;.*Max-Age=0/,
    );
  });

  it("tells a user who may not use the gateway, and refuses their Allow", async () => {
    const a = await admin();
    const team = await a.json<{ id: string }>("/teams", { body: { name: "Gateway users" } });
    await createGateway(a, "flow-team", [team.id]);
    await createUser(a, "outsider@acme.test");
    const session = await sessionCookie("outsider@acme.test", MEMBER_PASSWORD);
    const client = await registerClient({ redirect_uris: [REDIRECT] });
    const { challenge } = await pkce();
    const query = authorizeQuery({
      clientId: client.client_id,
      redirectUri: REDIRECT,
      challenge,
      resource: resourceOf("flow-team"),
      scope: "mcp",
    });
    const { view, cookie } = await startConsent(session, query);
    expect(view.allowed).toBe(false);
    expect(view.reason).toMatch(/team/i);
    await expectApiError(
      await decide(cookie, view.handle, "allow"),
      403,
      "permission_error",
      /team/i,
    );
  });
});

describe("tokens", () => {
  it("exchanges the code for tokens bound to the gateway, with mcp and offline_access", async () => {
    const { tokens } = await connectClient(SLUG, { clientName: "Flow Client" });
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.scope.split(" ").sort()).toEqual(["mcp", "offline_access"]);
    expect(tokens.resource).toBe(resourceOf(SLUG));
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.expires_in).toBeGreaterThan(0);
  });

  it("refuses the code with the wrong PKCE verifier", async () => {
    const { client, query } = await authorization();
    const { view, cookie } = await startConsent(await adminSession(), query);
    const { redirectTo } = (await (await decide(cookie, view.handle, "allow")).json()) as {
      redirectTo: string;
    };
    const code = new URL(redirectTo).searchParams.get("code") ?? "";
    expect(new URL(redirectTo).searchParams.get("iss")).toBe("http://localhost");
    const wrong = await pkce();
    const res = await tokenRequest({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT,
      client_id: client.client_id,
      code_verifier: wrong.verifier,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("rotates refresh tokens: the new one works, and the old one dies once it is used", async () => {
    const { client, tokens } = await connectClient(SLUG);
    const refresh = (token: string) =>
      tokenRequest({
        grant_type: "refresh_token",
        refresh_token: token,
        client_id: client.client_id,
        resource: resourceOf(SLUG),
      });
    const first = tokens.refresh_token ?? "";
    const r1 = await refresh(first);
    expect(r1.status, await r1.clone().text()).toBe(200);
    const second = (await r1.json()) as TokenSet;
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first);
    expect(second.access_token).not.toBe(tokens.access_token);
    expect(second.resource).toBe(resourceOf(SLUG));
    // The library keeps the previous refresh token valid until its successor is used
    // (a client that lost the answer can retry); using the successor retires it.
    const r2 = await refresh(second.refresh_token ?? "");
    expect(r2.status, await r2.clone().text()).toBe(200);
    const old = await refresh(first);
    expect(old.status).toBe(400);
    expect(((await old.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("refuses to refresh for a user who has been deactivated", async () => {
    const a = await admin();
    const member = await createUser(a, "leaver@acme.test");
    const session = await sessionCookie("leaver@acme.test", MEMBER_PASSWORD);
    const { client, tokens } = await connectClient(SLUG, { session });
    const res = await a.api(`/users/${member.id}/deactivate`, { method: "POST", body: {} });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    const refused = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token ?? "",
      client_id: client.client_id,
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe("invalid_grant");
  });
});
