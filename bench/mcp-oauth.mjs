// An OAuth access token for an MCP gateway, got the way Claude Desktop gets one: the official
// SDK's `auth()` (discovery, dynamic client registration, PKCE) with an in-memory client
// provider, and the consent step answered through the dashboard's API as the signed-in admin.
// The plain-node twin of test/e2e/mcp-oauth-client.ts (TypeScript cannot be imported here).
// The code is read off the redirect URL itself, so no callback server is needed.
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";

/** What a desktop client keeps in its keychain, in memory. */
class MemoryOAuthProvider {
  /** @param {string} redirectUrl */
  constructor(redirectUrl) {
    this.redirectUrl = redirectUrl;
    /** @type {import("@modelcontextprotocol/sdk/shared/auth.js").OAuthClientInformationMixed | undefined} */
    this.client = undefined;
    /** @type {import("@modelcontextprotocol/sdk/shared/auth.js").OAuthTokens | undefined} */
    this.stored = undefined;
    this.verifier = "";
    /** @type {URL | undefined} */
    this.authorizationUrl = undefined;
  }
  get clientMetadata() {
    return {
      client_name: "Gatehouse bench",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.client;
  }
  /** @param {import("@modelcontextprotocol/sdk/shared/auth.js").OAuthClientInformationMixed} info */
  saveClientInformation(info) {
    this.client = info;
  }
  tokens() {
    return this.stored;
  }
  /** @param {import("@modelcontextprotocol/sdk/shared/auth.js").OAuthTokens} tokens */
  saveTokens(tokens) {
    this.stored = tokens;
  }
  /** @param {URL} url */
  redirectToAuthorization(url) {
    this.authorizationUrl = url;
  }
  /** @param {string} verifier */
  saveCodeVerifier(verifier) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** The name=value pairs a response sets (Node's fetch joins several Set-Cookie headers). @param {Response} res */
function cookiesOf(res) {
  return (res.headers.get("set-cookie") ?? "")
    .split(/,(?=\s*[^;=,\s]+=)/)
    .map((c) => c.trim().split(";")[0] ?? "")
    .filter((c) => c.length > 0);
}

/** @param {Response} res @param {string} what */
async function expectOk(res, what) {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/**
 * The user's part: open the authorization URL, land on the consent page, allow. Returns where
 * the browser would go next (the client's redirect URI with the code).
 * @param {string} baseUrl
 * @param {URL} authorizationUrl
 * @param {string} sessionCookie
 */
async function consentThroughApi(baseUrl, authorizationUrl, sessionCookie) {
  const authorize = await fetch(authorizationUrl, { redirect: "manual" });
  await authorize.arrayBuffer();
  const consentUrl = new URL(authorize.headers.get("location") ?? "", baseUrl);
  if (authorize.status !== 302 || consentUrl.pathname !== "/oauth/consent") {
    throw new Error(`authorize: expected a redirect to /oauth/consent, got ${authorize.status}`);
  }
  const headers = { cookie: sessionCookie, origin: baseUrl, "content-type": "application/json" };
  const start = await expectOk(
    await fetch(`${baseUrl}/api/oauth/consents`, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: consentUrl.search.slice(1) }),
    }),
    "start consent",
  );
  const view = /** @type {{ handle: string }} */ (await start.json());
  const answer = await expectOk(
    await fetch(`${baseUrl}/api/oauth/consents/${view.handle}`, {
      method: "POST",
      headers: { ...headers, cookie: [sessionCookie, ...cookiesOf(start)].join("; ") },
      body: JSON.stringify({ decision: "allow" }),
    }),
    "allow consent",
  );
  return /** @type {{ redirectTo: string }} */ (await answer.json()).redirectTo;
}

/**
 * An access token for the MCP gateway at `gatewayUrl`, consented to by the user whose dashboard
 * session cookie is `sessionCookie`.
 * @param {string} baseUrl Gatehouse's origin.
 * @param {string} gatewayUrl `<origin>/v1/mcp/<slug>`
 * @param {string} sessionCookie
 */
export async function gatewayAccessToken(baseUrl, gatewayUrl, sessionCookie) {
  // Never called back: the code is taken from the redirect URL below.
  const provider = new MemoryOAuthProvider("http://127.0.0.1:9/callback");
  const first = await auth(provider, { serverUrl: gatewayUrl });
  if (first !== "REDIRECT" || !provider.authorizationUrl) {
    throw new Error(`OAuth: expected the SDK to ask for authorization, got ${first}`);
  }
  const redirectTo = new URL(
    await consentThroughApi(baseUrl, provider.authorizationUrl, sessionCookie),
  );
  const code = redirectTo.searchParams.get("code");
  if (!code) throw new Error(`OAuth: no code in the redirect ${redirectTo.origin}`);
  const second = await auth(provider, { serverUrl: gatewayUrl, authorizationCode: code });
  const token = provider.stored?.access_token;
  if (second !== "AUTHORIZED" || !token) throw new Error(`OAuth: token exchange gave ${second}`);
  return { accessToken: token, expiresIn: provider.stored?.expires_in ?? null };
}
