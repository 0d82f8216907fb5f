// Parsing an authorization request (`/authorize?…`), shared by the /authorize redirect and the
// consent API: the library validates client, redirect URI, response type, resource and PKCE
// method; we also require PKCE of every client (OAuth 2.1), and find the gateway the resource
// names. Requests are presented to the library at the public origin, the issuer.
import {
  AuthorizationError,
  type AuthRequest,
  type OAuthHelpers,
} from "@cloudflare/workers-oauth-provider";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { mcpGateways } from "../../d1/schema";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { publicOrigin } from "../public-origin";
import { authorizationServerFor, canonicalOrigin, slugOfResource } from "./server";

export interface GatewayRow {
  id: string;
  orgId: string;
  slug: string;
  name: string;
}

/** The request as the issuer sees it: same path, query, method, headers and body, public origin. */
export function atPublicOrigin(
  c: Context<AppEnv>,
  path?: string,
): { origin: string; request: Request } {
  const origin = canonicalOrigin(publicOrigin(c));
  const url = new URL(c.req.url);
  const target = `${origin}${path ?? url.pathname}${url.search}`;
  if (target === url.href) return { origin, request: c.req.raw };
  return { origin, request: new Request(target, c.req.raw) };
}

/** The gateway slug a `resource` parameter names, if any: it must be among the server's resources. */
export function hintedSlug(
  origin: string,
  resource: string | null | undefined,
): string | undefined {
  return (resource && slugOfResource(origin, resource)) || undefined;
}

export interface ParsedAuthorization {
  oauth: OAuthHelpers;
  auth: AuthRequest;
}

/**
 * Validates an authorization request at `origin`. Throws the library's AuthorizationError
 * (with `redirectTo` when the redirect URI is trusted), or a 404 when no gateway exists.
 */
export async function parseAuthorization(
  env: Env,
  origin: string,
  request: Request,
): Promise<ParsedAuthorization> {
  const resource = new URL(request.url).searchParams.get("resource");
  const server = await authorizationServerFor(env, origin, hintedSlug(origin, resource));
  const oauth = server.getOAuthApi(env);
  const auth = await oauth.parseAuthRequest(request);
  if (!auth.codeChallenge) {
    throw new AuthorizationError("invalid_request", {
      description: "PKCE is required: send code_challenge with code_challenge_method=S256.",
      redirectUri: auth.redirectUri,
      state: auth.state || undefined,
      issuer: auth.issuer,
    });
  }
  return { oauth, auth };
}

/** The gateway an authorization request is for (its `resource`), or null if it is gone. */
export async function gatewayOfRequest(origin: string, env: Env, auth: AuthRequest) {
  const slug = auth.resource ? slugOfResource(origin, auth.resource) : null;
  if (!slug) return null;
  const [row] = await db(env)
    .select({
      id: mcpGateways.id,
      orgId: mcpGateways.orgId,
      slug: mcpGateways.slug,
      name: mcpGateways.name,
    })
    .from(mcpGateways)
    .where(eq(mcpGateways.slug, slug));
  return (row ?? null) satisfies GatewayRow | null;
}
