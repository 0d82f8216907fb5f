// The OAuth flow of the MCP gateways, step by step, as an MCP client and a browser drive it:
// register a client (DCR), open /authorize, pass the consent screen's API with a signed-in
// session and the consent cookie, exchange the code with the PKCE verifier, refresh. Other MCP
// tests reuse `connectClient` to get an access token for a gateway.
//
// OAuth needs https or a loopback host, so everything here runs at http://localhost, not at
// the `http://gateway.test` of helpers.ts (a session cookie works on both: it is only a token).
import { SELF } from "cloudflare:test";
import { expect } from "vitest";
import { signIn } from "./api-helpers";
import type { Admin } from "./helpers";
import { initializeRequest } from "./mcp-helpers";

export const OAUTH_ORIGIN = "http://localhost";
export const ADMIN_EMAIL = "ada@acme.test";
export const ADMIN_PASSWORD = "correct horse battery";
/** The password helpers.ts createUser gives everyone. */
export const MEMBER_PASSWORD = "member password 123";

/** A request to the Worker at the loopback origin; redirects are returned, not followed. */
export function at(path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`${OAUTH_ORIGIN}${path}`, { redirect: "manual", ...init });
}

export function resourceOf(slug: string): string {
  return `${OAUTH_ORIGIN}/v1/mcp/${slug}`;
}

/** A gateway with no servers, through the admin API; `teamIds` limits who may use it. */
export async function createGateway(
  a: Admin,
  slug: string,
  teamIds: string[] = [],
): Promise<{ id: string; slug: string }> {
  return a.json<{ id: string; slug: string }>("/mcp-gateways", {
    body: { slug, name: `Gateway ${slug}`, serverIds: [], teamIds },
  });
}

const sessions = new Map<string, string>();

/** A dashboard session cookie for this person (signed in once per test file). */
export async function sessionCookie(email: string, password: string): Promise<string> {
  const hit = sessions.get(email);
  if (hit) return hit;
  const { cookie } = await signIn(email, password);
  sessions.set(email, cookie);
  return cookie;
}

export interface RegisteredClient {
  client_id: string;
  client_name?: string;
  redirect_uris: string[];
  token_endpoint_auth_method: string;
}

/** Dynamic client registration (RFC 7591) of a public client, as Claude Desktop does it. */
export async function registerClient(
  metadata: Record<string, unknown> = {},
): Promise<RegisteredClient> {
  const res = await registerRaw({
    client_name: "Test MCP Client",
    redirect_uris: ["http://localhost:4567/callback"],
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    ...metadata,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as RegisteredClient;
}

export function registerRaw(body: unknown): Promise<Response> {
  return at("/register", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** A PKCE verifier and its S256 challenge. */
export async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  challenge?: string;
  resource?: string;
  scope?: string;
  state?: string;
}

/** The /authorize query string (without "?"). */
export function authorizeQuery(p: AuthorizeParams): string {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    state: p.state ?? "state-123",
  });
  if (p.challenge) {
    q.set("code_challenge", p.challenge);
    q.set("code_challenge_method", "S256");
  }
  if (p.resource) q.set("resource", p.resource);
  if (p.scope !== undefined) q.set("scope", p.scope);
  return q.toString();
}

/** POST /api/oauth/consents as the dashboard page does, with the browser's cookies. */
export function consentApi(path: string, cookie: string, body: unknown): Promise<Response> {
  return at(`/api/oauth${path}`, {
    method: "POST",
    headers: { cookie, origin: OAUTH_ORIGIN, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** The name=value pairs of a response's Set-Cookie headers that set (not clear) a cookie. */
export function setCookies(res: Response): string[] {
  return res.headers
    .getAll("set-cookie")
    .map((c) => c.split(";")[0] ?? "")
    .filter((pair) => pair.includes("=") && !pair.endsWith("="));
}

export interface ConsentStart {
  res: Response;
  view: {
    handle: string;
    client: { id: string; name: string };
    scopes: string[];
    gateway: { id: string; slug: string; name: string };
    allowed: boolean;
    reason: string | null;
    redirectHost: string;
    redirectIsLoopback: boolean;
  };
  /** The session cookie plus the consent binding cookie, for the decision. */
  cookie: string;
}

export async function startConsent(session: string, query: string): Promise<ConsentStart> {
  const res = await consentApi("/consents", session, { query });
  expect(res.status, await res.clone().text()).toBe(200);
  const view = (await res.json()) as ConsentStart["view"];
  const binding = setCookies(res).find((c) => c.startsWith("__Host-oauth-consent"));
  expect(binding, "the consent binding cookie").toBeTruthy();
  return { res, view, cookie: `${session}; ${binding}` };
}

export function decide(cookie: string, handle: string, decision: "allow" | "deny") {
  return consentApi(`/consents/${encodeURIComponent(handle)}`, cookie, { decision });
}

export function tokenRequest(params: Record<string, string>): Promise<Response> {
  return at("/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
}

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
  scope: string;
  resource?: string;
}

export interface Connection {
  client: RegisteredClient;
  tokens: TokenSet;
  redirectUri: string;
}

/**
 * The whole flow for one gateway: register, authorize, consent (Allow) as the given signed-in
 * session, exchange the code. Returns the tokens (access and refresh).
 */
export async function connectClient(
  slug: string,
  options: { session?: string; scope?: string; clientName?: string; redirectUri?: string } = {},
): Promise<Connection> {
  const session = options.session ?? (await sessionCookie(ADMIN_EMAIL, ADMIN_PASSWORD));
  const redirectUri = options.redirectUri ?? "http://localhost:4567/callback";
  const client = await registerClient({
    client_name: options.clientName ?? "Test MCP Client",
    redirect_uris: [redirectUri],
  });
  const { verifier, challenge } = await pkce();
  const query = authorizeQuery({
    clientId: client.client_id,
    redirectUri,
    challenge,
    resource: resourceOf(slug),
    scope: options.scope ?? "mcp offline_access",
  });
  const authorize = await at(`/authorize?${query}`);
  expect(authorize.status).toBe(302);
  expect(authorize.headers.get("location")).toBe(`/oauth/consent?${query}`);
  const { view, cookie } = await startConsent(session, query);
  const decision = await decide(cookie, view.handle, "allow");
  expect(decision.status, await decision.clone().text()).toBe(200);
  const { redirectTo } = (await decision.json()) as { redirectTo: string };
  const code = new URL(redirectTo).searchParams.get("code");
  expect(code).toBeTruthy();
  const res = await tokenRequest({
    grant_type: "authorization_code",
    code: code ?? "",
    redirect_uri: redirectUri,
    client_id: client.client_id,
    code_verifier: verifier,
    resource: resourceOf(slug),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return { client, tokens: (await res.json()) as TokenSet, redirectUri };
}

/** An MCP `initialize` at the gateway, with this bearer token if any: 200 when the token is good. */
export function mcpInitialize(slug: string, token?: string): Promise<Response> {
  return at(`/v1/mcp/${slug}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(initializeRequest()),
  });
}

/** A refresh-token grant for this connection's client, at its gateway. */
export function refreshRequest(conn: Connection, slug: string, refreshToken: string) {
  return tokenRequest({
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: conn.client.client_id,
    resource: resourceOf(slug),
  });
}

/** The OAuth error code of a refused token request (status 400 expected). */
export async function oauthError(res: Response): Promise<string> {
  expect(res.status, "a refused token request").toBe(400);
  return ((await res.json()) as { error: string }).error;
}
