// Gets an OAuth access token for a gateway the way Claude Desktop does: the official MCP SDK's
// `auth()` discovers the metadata, registers a client dynamically and runs PKCE; the consent
// step is answered through the dashboard's API as the signed-in admin (what the consent page
// does in the browser). The code comes back in the redirect, which is never followed.
import { auth, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";

/** Loopback redirect URI; nothing listens there, the code is read off the redirect. */
const REDIRECT_URI = "http://127.0.0.1:33418/callback";

class MemoryProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  stored: OAuthTokens | undefined;
  verifier = "";
  authorizationUrl: URL | undefined;
  readonly redirectUrl = REDIRECT_URI;

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "MCP conformance suite",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.stored;
  }
  saveTokens(tokens: OAuthTokens) {
    this.stored = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/** The `name=value` part of each Set-Cookie of a response (fetch joins them with ", "). */
function cookiesOf(res: Response): string[] {
  return (res.headers.get("set-cookie") ?? "")
    .split(/,(?=\s*[^;=,\s]+=)/)
    .map((c) => c.trim().split(";")[0] ?? "")
    .filter((c) => c.length > 0);
}

/** Answers the consent screen for `authorizationUrl` as the user of `sessionCookie`. */
async function consent(gateway: string, authorizationUrl: URL, sessionCookie: string) {
  const authorize = await fetch(authorizationUrl, { redirect: "manual" });
  const location = authorize.headers.get("location");
  if (authorize.status !== 302 || !location) {
    throw new Error(`authorize: expected a redirect to consent, got ${authorize.status}`);
  }
  const consentUrl = new URL(location, gateway);
  const headers = { cookie: sessionCookie, origin: gateway, "content-type": "application/json" };
  const start = await expectOk(
    await fetch(`${gateway}/api/oauth/consents`, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: consentUrl.search.slice(1) }),
    }),
    "start consent",
  );
  const view = (await start.json()) as { handle: string };
  const answer = await expectOk(
    await fetch(`${gateway}/api/oauth/consents/${view.handle}`, {
      method: "POST",
      headers: { ...headers, cookie: [sessionCookie, ...cookiesOf(start)].join("; ") },
      body: JSON.stringify({ decision: "allow" }),
    }),
    "allow consent",
  );
  const { redirectTo } = (await answer.json()) as { redirectTo: string };
  const code = new URL(redirectTo).searchParams.get("code");
  if (!code) throw new Error(`consent: no code in ${redirectTo}`);
  return code;
}

/** Runs the whole flow against `<gateway>/v1/mcp/<slug>` and returns the access token. */
export async function accessTokenFor(
  gateway: string,
  slug: string,
  sessionCookie: string,
): Promise<string> {
  const serverUrl = `${gateway}/v1/mcp/${slug}`;
  const provider = new MemoryProvider();
  const first = await auth(provider, { serverUrl });
  if (first !== "REDIRECT" || !provider.authorizationUrl) {
    throw new Error(`OAuth: expected to be sent to authorize, got ${first}`);
  }
  const code = await consent(gateway, provider.authorizationUrl, sessionCookie);
  const second = await auth(provider, { serverUrl, authorizationCode: code });
  const token = provider.stored?.access_token;
  if (second !== "AUTHORIZED" || !token) throw new Error(`OAuth: token exchange gave ${second}`);
  return token;
}
