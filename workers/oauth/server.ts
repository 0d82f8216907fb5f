// The OAuth 2.1 authorization server of the MCP gateways (workers-oauth-provider's
// OAuthAuthorizationServer). Issuer: the public origin. Resources: one per gateway,
// `<origin>/v1/mcp/<slug>`. The library fixes its resources at construction, so an instance is
// built per (origin, slug list) and cached in the isolate; the slug list is itself cached (see
// gateway-slugs.ts), so steady-state requests build nothing and query nothing.
import {
  type ClientRegistrationCallbackResult,
  GrantType,
  OAuthAuthorizationServer,
  OAuthError,
  type TokenExchangeCallbackOptions,
} from "@cloudflare/workers-oauth-provider";
import { eq } from "drizzle-orm";
import { users } from "../../d1/schema";
import { mcpGatewayUrl } from "../../shared/claude-desktop-profile";
import { db } from "../db";
import { badRequest, notFound } from "../errors";
import { gatewaySlugs, isPlainSlug } from "./gateway-slugs";

export const SCOPES_SUPPORTED = ["mcp", "offline_access"] as const;
/** What any use of a gateway needs (a token without it gets 403 insufficient_scope). */
export const REQUIRED_SCOPES = ["mcp"] as const;
export const AUTHORIZE_PATH = "/authorize";
export const TOKEN_PATH = "/token";
export const REGISTER_PATH = "/register";
export const MCP_PATH = "/v1/mcp";

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.test(hostname.toLowerCase());
}

/**
 * The origin as the library wants an issuer: lowercase, no default port. http only on a
 * loopback host (the library refuses anything else, and OAuth 2.1 requires https).
 */
export function canonicalOrigin(origin: string): string {
  const url = new URL(origin);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw badRequest(
      "The MCP gateway's OAuth server needs https (plain http only on localhost). Reach it over https, or set PUBLIC_ORIGIN.",
    );
  }
  return url.origin;
}

/** The OAuth resource (and MCP endpoint URL) of a gateway. */
export function gatewayResource(origin: string, slug: string): string {
  return mcpGatewayUrl(origin, slug);
}

/** The gateway slug a resource URL of this origin names, or null. */
export function slugOfResource(origin: string, resource: string): string | null {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const match = /^\/v1\/mcp\/([^/]+)$/.exec(url.pathname);
  const slug = match?.[1];
  return slug && isPlainSlug(slug) ? slug : null;
}

/** Refresh (and code exchange) only for a user who is still active. */
async function refuseInactiveUser(options: TokenExchangeCallbackOptions<Env>): Promise<void> {
  if (
    options.grantType !== GrantType.AUTHORIZATION_CODE &&
    options.grantType !== GrantType.REFRESH_TOKEN
  ) {
    return;
  }
  const [row] = await db(options.env)
    .select({ status: users.status })
    .from(users)
    .where(eq(users.id, options.userId));
  if (row?.status !== "active") {
    // invalid_grant: the library also revokes the grant and its tokens.
    throw new OAuthError("invalid_grant", { description: "This user is no longer active." });
  }
}

/** Every redirect URI must be https, or http on a loopback host (other schemes: the library's rules). */
function refuseRemoteHttp(
  metadata: Record<string, unknown>,
): ClientRegistrationCallbackResult | undefined {
  const uris = Array.isArray(metadata.redirect_uris) ? metadata.redirect_uris : [];
  for (const uri of uris) {
    if (typeof uri !== "string") continue;
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      continue;
    }
    if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
      return {
        code: "invalid_redirect_uri",
        description: `Redirect URIs must use https, or http on a loopback host: ${uri}`,
      };
    }
  }
  return undefined;
}

function build(origin: string, slugs: readonly string[]): OAuthAuthorizationServer<Env> {
  return new OAuthAuthorizationServer<Env>({
    issuer: origin,
    resources: slugs.map((slug) => gatewayResource(origin, slug)),
    authorizeEndpoint: AUTHORIZE_PATH,
    tokenEndpoint: TOKEN_PATH,
    clientRegistrationEndpoint: REGISTER_PATH,
    scopesSupported: [...SCOPES_SUPPORTED],
    tokenExchangeCallback: refuseInactiveUser,
    clientRegistrationCallback: ({ clientMetadata }) => refuseRemoteHttp(clientMetadata),
  });
}

const MAX_CACHED = 16;
const servers = new Map<string, OAuthAuthorizationServer<Env>>();

/**
 * The authorization server for this origin and the current gateways. `mustKnowSlug` makes sure
 * that gateway is among its resources if it exists at all (the slug list is reloaded when it is
 * not cached). Throws a 404 when no gateway exists: there is nothing to authorize.
 */
export async function authorizationServerFor(
  env: Env,
  origin: string,
  mustKnowSlug?: string,
): Promise<OAuthAuthorizationServer<Env>> {
  const issuer = canonicalOrigin(origin);
  const slugs = await gatewaySlugs(env, mustKnowSlug);
  if (slugs.length === 0) throw notFound("No MCP gateway exists yet: an admin creates one first.");
  const key = `${issuer} ${slugs.join(" ")}`;
  let server = servers.get(key);
  if (!server) {
    server = build(issuer, slugs);
    servers.set(key, server);
    for (const old of servers.keys()) {
      if (servers.size <= MAX_CACHED) break;
      servers.delete(old);
    }
  }
  return server;
}
