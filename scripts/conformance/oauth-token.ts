// Gets an OAuth access token for a gateway the way Claude Desktop does: the official MCP SDK's
// `auth()` discovers the metadata, registers a client dynamically and runs PKCE; the consent
// step is answered through the dashboard's API as the signed-in admin (what the consent page
// does in the browser). The code comes back in the redirect, which is never followed.
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { consentThroughApi, MemoryOAuthProvider } from "../../test/e2e/mcp-oauth-client";

/** Loopback redirect URI; nothing listens there, the code is read off the redirect. */
const REDIRECT_URI = "http://127.0.0.1:33418/callback";

/** Runs the whole flow against `<gateway>/v1/mcp/<slug>` and returns the access token. */
export async function accessTokenFor(
  gateway: string,
  slug: string,
  sessionCookie: string,
): Promise<string> {
  const serverUrl = `${gateway}/v1/mcp/${slug}`;
  const provider = new MemoryOAuthProvider(REDIRECT_URI, "MCP conformance suite");
  const first = await auth(provider, { serverUrl });
  if (first !== "REDIRECT" || !provider.authorizationUrl) {
    throw new Error(`OAuth: expected to be sent to authorize, got ${first}`);
  }
  const redirectTo = await consentThroughApi(gateway, provider.authorizationUrl, sessionCookie);
  const code = new URL(redirectTo).searchParams.get("code");
  if (!code) throw new Error(`consent: no code in ${redirectTo}`);
  const second = await auth(provider, { serverUrl, authorizationCode: code });
  const token = provider.stored?.access_token;
  if (second !== "AUTHORIZED" || !token) throw new Error(`OAuth: token exchange gave ${second}`);
  return token;
}
