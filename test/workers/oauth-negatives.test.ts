// OAuth misuse that must fail safely: tokens asked for another audience, an authorization code
// used twice, PKCE weakened or skipped, redirect URIs that were never registered. (Covered
// elsewhere, not repeated here: a wrong PKCE verifier and a refresh retargeted to another
// gateway in oauth-flow/oauth-connections, a token of gateway A at B in oauth-resource, remote
// http redirects at registration in oauth-discovery, refresh-token reuse in
// oauth-refresh-reuse.)
import { beforeAll, describe, expect, it } from "vitest";
import { admin } from "./helpers";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  at,
  authorizeQuery,
  consentApi,
  createGateway,
  decide,
  mcpInitialize,
  oauthError,
  pkce,
  type RegisteredClient,
  refreshRequest,
  registerClient,
  resourceOf,
  sessionCookie,
  startConsent,
  type TokenSet,
  tokenRequest,
} from "./oauth-helpers";

const SLUG = "neg-a";
const OTHER = "neg-b";
const REDIRECT = "http://localhost:4567/callback";

beforeAll(async () => {
  const a = await admin();
  await createGateway(a, SLUG);
  await createGateway(a, OTHER);
});

interface Issued {
  client: RegisteredClient;
  code: string;
  verifier: string;
}

/** Registration, authorization and Allow for `SLUG`: an unused code and its verifier. */
async function issueCode(): Promise<Issued> {
  const client = await registerClient({ redirect_uris: [REDIRECT] });
  const { verifier, challenge } = await pkce();
  const query = authorizeQuery({
    clientId: client.client_id,
    redirectUri: REDIRECT,
    challenge,
    resource: resourceOf(SLUG),
    scope: "mcp offline_access",
  });
  const { view, cookie } = await startConsent(
    await sessionCookie(ADMIN_EMAIL, ADMIN_PASSWORD),
    query,
  );
  const decision = await decide(cookie, view.handle, "allow");
  expect(decision.status, await decision.clone().text()).toBe(200);
  const { redirectTo } = (await decision.json()) as { redirectTo: string };
  const code = new URL(redirectTo).searchParams.get("code");
  if (!code) throw new Error("no code in the redirect");
  return { client, code, verifier };
}

function exchange(issued: Issued, extra: Record<string, string> = {}): Promise<Response> {
  return tokenRequest({
    grant_type: "authorization_code",
    code: issued.code,
    redirect_uri: REDIRECT,
    client_id: issued.client.client_id,
    code_verifier: issued.verifier,
    resource: resourceOf(SLUG),
    ...extra,
  });
}

/** Where /authorize sent the browser, resolved against the issuer. */
async function authorizeLocation(query: string): Promise<URL> {
  const res = await at(`/authorize?${query}`);
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location") ?? "", "http://localhost");
}

describe("audience", () => {
  it("refuses a code exchange for another gateway's resource, and issues nothing", async () => {
    const issued = await issueCode();
    const res = await exchange(issued, { resource: resourceOf(OTHER) });
    expect(await oauthError(res)).toBe("invalid_target");
    // The code was not spent by the refusal: the right resource still gets tokens, for SLUG only.
    const ok = await exchange(issued);
    expect(ok.status, await ok.clone().text()).toBe(200);
    const tokens = (await ok.json()) as TokenSet;
    expect(tokens.resource).toBe(resourceOf(SLUG));
    expect((await mcpInitialize(OTHER, tokens.access_token)).status).toBe(401);
  });

  it("refuses a resource of another gateway host at /authorize, back at the client", async () => {
    const client = await registerClient({ redirect_uris: [REDIRECT] });
    const { challenge } = await pkce();
    for (const resource of [
      `https://other-gatehouse.example/v1/mcp/${SLUG}`,
      `http://127.0.0.1/v1/mcp/${SLUG}`,
    ]) {
      const location = await authorizeLocation(
        authorizeQuery({ clientId: client.client_id, redirectUri: REDIRECT, challenge, resource }),
      );
      expect(location.origin + location.pathname).toBe(REDIRECT);
      expect(location.searchParams.get("error")).toBe("invalid_target");
    }
  });
});

describe("authorization code reuse", () => {
  it("refuses a second exchange and revokes the tokens of the first (the library revokes the grant)", async () => {
    const issued = await issueCode();
    const first = await exchange(issued);
    expect(first.status, await first.clone().text()).toBe(200);
    const tokens = (await first.json()) as TokenSet;
    expect((await mcpInitialize(SLUG, tokens.access_token)).status).toBe(200);

    expect(await oauthError(await exchange(issued))).toBe("invalid_grant");
    expect((await mcpInitialize(SLUG, tokens.access_token)).status).toBe(401);
    const conn = { client: issued.client, tokens, redirectUri: REDIRECT };
    const refresh = await refreshRequest(conn, SLUG, tokens.refresh_token ?? "");
    expect(await oauthError(refresh)).toBe("invalid_grant");
  });
});

describe("PKCE", () => {
  it("refuses the plain method at /authorize, back at the client, and on the consent page", async () => {
    const client = await registerClient({ redirect_uris: [REDIRECT] });
    const { verifier } = await pkce();
    const query = new URLSearchParams(
      authorizeQuery({
        clientId: client.client_id,
        redirectUri: REDIRECT,
        challenge: verifier,
        resource: resourceOf(SLUG),
        state: "s-plain",
      }),
    );
    query.set("code_challenge_method", "plain");
    const location = await authorizeLocation(query.toString());
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("state")).toBe("s-plain");
    expect(location.searchParams.get("code")).toBeNull();
    const consent = await consentApi(
      "/consents",
      await sessionCookie(ADMIN_EMAIL, ADMIN_PASSWORD),
      {
        query: query.toString(),
      },
    );
    expect(consent.status).toBe(400);
  });

  it("refuses a challenge without a method rather than taking it as plain", async () => {
    const client = await registerClient({ redirect_uris: [REDIRECT] });
    const { verifier } = await pkce();
    const query = new URLSearchParams(
      authorizeQuery({
        clientId: client.client_id,
        redirectUri: REDIRECT,
        challenge: verifier,
        resource: resourceOf(SLUG),
      }),
    );
    query.delete("code_challenge_method");
    const location = await authorizeLocation(query.toString());
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get("error")).toBe("invalid_request");
  });

  it("refuses an exchange without the code_verifier", async () => {
    const issued = await issueCode();
    const res = await tokenRequest({
      grant_type: "authorization_code",
      code: issued.code,
      redirect_uri: REDIRECT,
      client_id: issued.client.client_id,
      resource: resourceOf(SLUG),
    });
    expect(await oauthError(res)).toBe("invalid_request");
  });
});

describe("redirect URIs", () => {
  it("never redirects to a URI the client did not register", async () => {
    const client = await registerClient({ redirect_uris: [REDIRECT] });
    const { challenge } = await pkce();
    for (const redirectUri of [
      "https://evil.example/callback",
      "http://localhost:4567/elsewhere",
      "http://127.0.0.1:4567/callback",
      `${REDIRECT}?next=https://evil.example`,
    ]) {
      const res = await at(
        `/authorize?${authorizeQuery({ clientId: client.client_id, redirectUri, challenge, resource: resourceOf(SLUG) })}`,
      );
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get("location") ?? "", "http://localhost");
      expect(location.origin + location.pathname, redirectUri).toBe(
        "http://localhost/oauth/consent",
      );
      expect(location.searchParams.get("error"), redirectUri).toMatch(/redirect/i);
      expect(location.searchParams.get("code")).toBeNull();
    }
  });

  it("refuses an exchange whose redirect_uri differs from the authorization's", async () => {
    const issued = await issueCode();
    const res = await exchange(issued, { redirect_uri: "https://evil.example/callback" });
    expect(await oauthError(res)).toBe("invalid_grant");
  });
});

describe("malformed credentials", () => {
  it("answers an oversized code or refresh token with invalid_grant, not a 500", async () => {
    const client = await registerClient({ redirect_uris: [REDIRECT] });
    const huge = `usr_x:${"a".repeat(600)}:secret`;
    const code = await tokenRequest({
      grant_type: "authorization_code",
      code: huge,
      redirect_uri: REDIRECT,
      client_id: client.client_id,
      code_verifier: "x".repeat(43),
    });
    expect(await oauthError(code)).toBe("invalid_grant");
    const refresh = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: huge,
      client_id: client.client_id,
    });
    expect(await oauthError(refresh)).toBe("invalid_grant");
  });
});
