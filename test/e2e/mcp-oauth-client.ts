// The official MCP SDK client's side of the OAuth flow, for end-to-end tests: an in-memory
// OAuthClientProvider (what Claude Desktop keeps in its keychain), a loopback callback server
// that receives the authorization code, and the consent step driven through the dashboard's
// API as the signed-in user (the browser test drives the real page instead). Plain errors, no
// test framework: the conformance runner (scripts/conformance/) uses it too.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";

export class MemoryOAuthProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  stored: OAuthTokens | undefined;
  verifier = "";
  /** Set when the SDK sends the user to the authorization endpoint. */
  authorizationUrl: URL | undefined;
  savedTokens: OAuthTokens[] = [];

  constructor(
    readonly redirectUrl: string,
    readonly clientName = "Claude Desktop (e2e)",
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.clientName,
      redirect_uris: [this.redirectUrl],
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
    this.savedTokens.push(tokens);
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

/** A loopback server that catches the redirect back to the client and its `code`. */
export async function callbackServer(): Promise<{
  url: string;
  nextCode: () => Promise<string>;
  close: () => Promise<void>;
}> {
  let deliver: ((code: string) => void) | undefined;
  let pending = new Promise<string>((resolve) => {
    deliver = resolve;
  });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const code = url.searchParams.get("code");
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(code ? "Connected. You can close this window." : "No code.");
    if (code) deliver?.(code);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    async nextCode() {
      const code = await pending;
      pending = new Promise<string>((resolve) => {
        deliver = resolve;
      });
      return code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/** The name=value pairs a response sets (Node's fetch joins several Set-Cookie headers). */
function cookiesOf(res: Response): string[] {
  const joined = res.headers.get("set-cookie") ?? "";
  return joined
    .split(/,(?=\s*[^;=,\s]+=)/)
    .map((c) => c.trim().split(";")[0] ?? "")
    .filter((c) => c.length > 0);
}

/**
 * What the user does in the browser, through the dashboard's API: open the authorization URL,
 * land on the consent page, and answer it. Returns where the browser would go next.
 */
export async function consentThroughApi(
  gateway: string,
  authorizationUrl: URL,
  sessionCookie: string,
  decision: "allow" | "deny" = "allow",
): Promise<string> {
  const authorize = await fetch(authorizationUrl, { redirect: "manual" });
  const consentUrl = new URL(authorize.headers.get("location") ?? "", gateway);
  if (authorize.status !== 302 || consentUrl.pathname !== "/oauth/consent") {
    throw new Error(`authorize: expected a redirect to /oauth/consent, got ${authorize.status}`);
  }
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
      body: JSON.stringify({ decision }),
    }),
    `${decision} consent`,
  );
  return ((await answer.json()) as { redirectTo: string }).redirectTo;
}
