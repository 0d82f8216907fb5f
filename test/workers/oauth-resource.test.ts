// The MCP endpoint as an OAuth protected resource (workers/oauth/resource.ts withMcpToken, as
// /v1/mcp/<slug> uses it): the 401 challenge naming the gateway's metadata, foreign, bad and
// revoked tokens, a token without the `mcp` scope, and a good token let through.
import { beforeAll, describe, expect, it } from "vitest";
import { admin } from "./helpers";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  at,
  authorizeQuery,
  connectClient,
  createGateway,
  decide,
  mcpInitialize,
  OAUTH_ORIGIN,
  pkce,
  registerClient,
  resourceOf,
  sessionCookie,
  startConsent,
  type TokenSet,
  tokenRequest,
} from "./oauth-helpers";

beforeAll(async () => {
  const a = await admin();
  await createGateway(a, "res-a");
  await createGateway(a, "res-b");
});

const metadataUrl = (slug: string) =>
  `${OAUTH_ORIGIN}/.well-known/oauth-protected-resource/v1/mcp/${slug}`;

function challenge(res: Response): string {
  return res.headers.get("www-authenticate") ?? "";
}

describe("the MCP endpoint's bearer check", () => {
  it("answers a request without a token with 401 naming the gateway's metadata", async () => {
    const res = await mcpInitialize("res-a");
    expect(res.status).toBe(401);
    const header = challenge(res);
    expect(header).toMatch(/^Bearer /);
    expect(header).toContain(`resource_metadata="${metadataUrl("res-a")}"`);
    // What MCP clients request: the gateway's scope and offline_access (refresh tokens).
    expect(header).toContain('scope="mcp offline_access"');
    expect(header).not.toContain("invalid_token");
  });

  it("answers a bad token with 401 invalid_token", async () => {
    const res = await mcpInitialize("res-a", "usr_x:grant:nonsense");
    expect(res.status).toBe(401);
    expect(challenge(res)).toContain('error="invalid_token"');
    expect(challenge(res)).toContain(`resource_metadata="${metadataUrl("res-a")}"`);
    expect(challenge(res)).toContain('scope="mcp offline_access"');
  });

  it("lets a token for this gateway through, and refuses it at another gateway", async () => {
    const { tokens } = await connectClient("res-a");
    const ok = await mcpInitialize("res-a", tokens.access_token);
    expect(ok.status, await ok.clone().text()).toBe(200);
    const foreign = await mcpInitialize("res-b", tokens.access_token);
    expect(foreign.status).toBe(401);
    expect(challenge(foreign)).toContain('error="invalid_token"');
    expect(challenge(foreign)).toContain(`resource_metadata="${metadataUrl("res-b")}"`);
  });

  it("answers 403 insufficient_scope for a token without mcp", async () => {
    const redirectUri = "http://localhost:4567/callback";
    const client = await registerClient({ redirect_uris: [redirectUri] });
    const { verifier, challenge: codeChallenge } = await pkce();
    const query = authorizeQuery({
      clientId: client.client_id,
      redirectUri,
      challenge: codeChallenge,
      resource: resourceOf("res-a"),
      scope: "mcp offline_access",
    });
    const { view, cookie } = await startConsent(
      await sessionCookie(ADMIN_EMAIL, ADMIN_PASSWORD),
      query,
    );
    const { redirectTo } = (await (await decide(cookie, view.handle, "allow")).json()) as {
      redirectTo: string;
    };
    // The token request narrows the grant to offline_access alone.
    const res = await tokenRequest({
      grant_type: "authorization_code",
      code: new URL(redirectTo).searchParams.get("code") ?? "",
      redirect_uri: redirectUri,
      client_id: client.client_id,
      code_verifier: verifier,
      scope: "offline_access",
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const tokens = (await res.json()) as TokenSet;
    expect(tokens.scope).toBe("offline_access");
    const refused = await mcpInitialize("res-a", tokens.access_token);
    expect(refused.status).toBe(403);
    expect(challenge(refused)).toContain('error="insufficient_scope"');
    expect(challenge(refused)).toContain('scope="mcp offline_access"');
    expect(challenge(refused)).toContain(`resource_metadata="${metadataUrl("res-a")}"`);
  });

  it("refuses a revoked token with 401", async () => {
    const { client, tokens } = await connectClient("res-b");
    expect((await mcpInitialize("res-b", tokens.access_token)).status).toBe(200);
    const revoke = await at("/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        token: tokens.access_token,
        token_type_hint: "access_token",
        client_id: client.client_id,
      }).toString(),
    });
    expect(revoke.status).toBe(200);
    const res = await mcpInitialize("res-b", tokens.access_token);
    expect(res.status).toBe(401);
    expect(challenge(res)).toContain('error="invalid_token"');
  });
});
