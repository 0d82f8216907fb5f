// Discovery and registration: RFC 8414 authorization-server metadata, RFC 9728 protected-resource
// metadata per gateway (and the root form), and dynamic client registration (RFC 7591).
import { describe, expect, it } from "vitest";
import { expectApiError } from "./api-helpers";
import { admin } from "./helpers";
import {
  at,
  authorizeQuery,
  createGateway,
  OAUTH_ORIGIN,
  pkce,
  registerClient,
  registerRaw,
  resourceOf,
} from "./oauth-helpers";

describe("OAuth discovery", () => {
  it("answers the root protected-resource metadata with the only gateway's", async () => {
    const a = await admin();
    await createGateway(a, "solo");
    const res = await at("/.well-known/oauth-protected-resource");
    expect(res.status, await res.clone().text()).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.resource).toBe(resourceOf("solo"));
    expect(doc.authorization_servers).toEqual([OAUTH_ORIGIN]);
  });

  it("publishes authorization-server metadata naming every gateway", async () => {
    const a = await admin();
    await createGateway(a, "disc-a");
    const res = await at("/.well-known/oauth-authorization-server");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(OAUTH_ORIGIN);
    expect(doc.authorization_endpoint).toBe(`${OAUTH_ORIGIN}/authorize`);
    expect(doc.token_endpoint).toBe(`${OAUTH_ORIGIN}/token`);
    expect(doc.registration_endpoint).toBe(`${OAUTH_ORIGIN}/register`);
    expect(doc.revocation_endpoint).toBe(`${OAUTH_ORIGIN}/token`);
    expect(doc.code_challenge_methods_supported).toEqual(["S256"]);
    expect(doc.scopes_supported).toEqual(["mcp", "offline_access"]);
    expect(doc.grant_types_supported).toEqual(
      expect.arrayContaining(["authorization_code", "refresh_token"]),
    );
    expect(doc.protected_resources).toEqual(
      expect.arrayContaining([resourceOf("solo"), resourceOf("disc-a")]),
    );
  });

  it("serves the same document when a client appends the resource path", async () => {
    const res = await at("/.well-known/oauth-authorization-server/v1/mcp/disc-a");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { issuer: string }).issuer).toBe(OAUTH_ORIGIN);
  });

  it("publishes protected-resource metadata per gateway", async () => {
    const res = await at("/.well-known/oauth-protected-resource/v1/mcp/disc-a");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.resource).toBe(resourceOf("disc-a"));
    expect(doc.authorization_servers).toEqual([OAUTH_ORIGIN]);
    // MCP clients pick the scopes they ask for from here (or the 401 challenge): both, so the
    // grant they get can be refreshed.
    expect(doc.scopes_supported).toEqual(["mcp", "offline_access"]);
    expect(doc.bearer_methods_supported).toEqual(["header"]);
  });

  it("knows a gateway created a moment ago (the slug cache reloads)", async () => {
    const a = await admin();
    await at("/.well-known/oauth-protected-resource/v1/mcp/disc-a");
    await createGateway(a, "disc-new");
    const res = await at("/.well-known/oauth-protected-resource/v1/mcp/disc-new");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { resource: string }).resource).toBe(resourceOf("disc-new"));
  });

  it("answers 404 JSON for an unknown gateway, and for the root form with several", async () => {
    await expectApiError(
      await at("/.well-known/oauth-protected-resource/v1/mcp/nope"),
      404,
      "not_found_error",
    );
    await expectApiError(
      await at("/.well-known/oauth-protected-resource"),
      404,
      "not_found_error",
      /WWW-Authenticate/,
    );
  });
});

describe("dynamic client registration", () => {
  it("accepts a loopback http redirect and matches it on any port", async () => {
    const a = await admin();
    await createGateway(a, "dcr");
    const client = await registerClient({ redirect_uris: ["http://localhost:1111/callback"] });
    expect(client.client_id).toBeTruthy();
    expect(client.token_endpoint_auth_method).toBe("none");
    const { challenge } = await pkce();
    const query = authorizeQuery({
      clientId: client.client_id,
      redirectUri: "http://localhost:60123/callback",
      challenge,
      resource: resourceOf("dcr"),
      scope: "mcp",
    });
    const res = await at(`/authorize?${query}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/oauth/consent?${query}`);
  });

  it("accepts an https redirect", async () => {
    const client = await registerClient({ redirect_uris: ["https://app.example/cb"] });
    expect(client.redirect_uris).toEqual(["https://app.example/cb"]);
  });

  it("refuses a remote http redirect, alone or beside a good one", async () => {
    for (const uris of [
      ["http://evil.example/cb"],
      ["https://ok.example/cb", "http://evil.example/cb"],
    ]) {
      const res = await registerRaw({
        client_name: "Evil",
        redirect_uris: uris,
        token_endpoint_auth_method: "none",
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(/^invalid_(redirect_uri|client_metadata)$/);
    }
  });
});
