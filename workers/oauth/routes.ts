// The OAuth 2.1 authorization server's public routes for the MCP gateways: RFC 8414 metadata,
// RFC 9728 protected-resource metadata per gateway (and the root form), /token (also RFC 7009
// revocation), /register (RFC 7591) delegated to workers-oauth-provider; and /authorize, which
// validates the request and sends the browser to the dashboard's consent page.
import { AuthorizationError } from "@cloudflare/workers-oauth-provider";
import { asc } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { mcpGateways } from "../../d1/schema";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { GatewayError, notFound } from "../errors";
import { atPublicOrigin, hintedSlug, parseAuthorization } from "./authorization-request";
import { gatewaySlugs, isPlainSlug, reloadGatewaySlugs } from "./gateway-slugs";
import { protectedResourceHost } from "./resource";
import {
  AUTHORIZE_PATH,
  authorizationServerFor,
  MCP_PATH,
  REGISTER_PATH,
  TOKEN_PATH,
} from "./server";

type Ctx = Context<AppEnv>;

const AS_METADATA = "/.well-known/oauth-authorization-server";
const PR_METADATA = "/.well-known/oauth-protected-resource";
const CONSENT_PAGE = "/oauth/consent";
const METADATA_METHODS = ["GET", "HEAD", "OPTIONS"];

export const oauthRoutes = new Hono<AppEnv>();

/** Hand a request to the authorization server, presented at the issuer's own URL for `path`. */
async function delegate(c: Ctx, mustKnowSlug?: string, path?: string): Promise<Response> {
  const { origin, request } = atPublicOrigin(c, path);
  const server = await authorizationServerFor(c.env, origin, mustKnowSlug);
  return server.fetch(request, c.env, c.executionCtx);
}

oauthRoutes.on(METADATA_METHODS, AS_METADATA, (c) => delegate(c));

// Some clients append the resource's path to the well-known prefix: same document.
oauthRoutes.on(METADATA_METHODS, `${AS_METADATA}/*`, (c) => {
  const rest = c.req.path.slice(AS_METADATA.length);
  const slug = new RegExp(`^${MCP_PATH}/([^/]+)$`).exec(rest)?.[1];
  return delegate(c, slug && isPlainSlug(slug) ? slug : undefined, AS_METADATA);
});

async function protectedResourceMetadata(c: Ctx, slug: string): Promise<Response> {
  const path = `${PR_METADATA}${MCP_PATH}/${slug}`;
  const { origin, request } = atPublicOrigin(c, path);
  return protectedResourceHost(origin, slug).fetch(request, c.env, c.executionCtx);
}

oauthRoutes.on(METADATA_METHODS, `${PR_METADATA}${MCP_PATH}/:slug`, async (c) => {
  const slug = c.req.param("slug");
  const known = isPlainSlug(slug) && (await gatewaySlugs(c.env, slug)).includes(slug);
  if (!known) throw notFound(`No MCP gateway '${slug}'.`);
  return protectedResourceMetadata(c, slug);
});

// The root form: unambiguous only while there is exactly one gateway.
oauthRoutes.on(METADATA_METHODS, PR_METADATA, async (c) => {
  const rows = await db(c.env)
    .select({ slug: mcpGateways.slug })
    .from(mcpGateways)
    .orderBy(asc(mcpGateways.slug))
    .limit(2);
  const only = rows.length === 1 ? rows[0]?.slug : undefined;
  if (!only || !isPlainSlug(only)) {
    throw notFound(
      `Each MCP gateway has its own metadata: use the resource_metadata URL named in the WWW-Authenticate header (${PR_METADATA}${MCP_PATH}/<slug>).`,
    );
  }
  return protectedResourceMetadata(c, only);
});

/** The `resource` a token request names (form body), to be sure its gateway is known. */
async function resourceInBody(c: Ctx): Promise<string | null> {
  const type = c.req.header("content-type") ?? "";
  if (c.req.method !== "POST" || !type.includes("application/x-www-form-urlencoded")) return null;
  try {
    const value = (await c.req.raw.clone().formData()).get("resource");
    return typeof value === "string" ? value : null;
  } catch {
    return null;
  }
}

oauthRoutes.all(TOKEN_PATH, async (c) => {
  const { origin } = atPublicOrigin(c);
  const slug = hintedSlug(origin, await resourceInBody(c));
  // Without `resource` the grant's own gateway applies: it may be newer than the cached list.
  if (!slug && c.req.method === "POST") await reloadGatewaySlugs(c.env);
  return delegate(c, slug);
});

oauthRoutes.all(REGISTER_PATH, (c) => delegate(c));

/** The dashboard's consent page, showing an error instead of a form. */
function consentError(c: Ctx, message: string): Response {
  return c.redirect(`${CONSENT_PAGE}?${new URLSearchParams({ error: message })}`, 302);
}

oauthRoutes.get(AUTHORIZE_PATH, async (c) => {
  const { origin, request } = atPublicOrigin(c);
  try {
    await parseAuthorization(c.env, origin, request);
  } catch (err) {
    if (err instanceof AuthorizationError) {
      // A redirect back to the client only once its exact redirect URI was validated.
      return err.redirectTo ? c.redirect(err.redirectTo, 302) : consentError(c, err.description);
    }
    if (err instanceof GatewayError && err.status < 500) return consentError(c, err.message);
    throw err;
  }
  return c.redirect(`${CONSENT_PAGE}${new URL(c.req.url).search}`, 302);
});
