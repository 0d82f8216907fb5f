// The OAuth 2.1 authorization server's public routes for the MCP gateways: RFC 8414 metadata,
// RFC 9728 protected-resource metadata per gateway (and the root form), /token (also RFC 7009
// revocation), /register (RFC 7591) delegated to workers-oauth-provider, with refresh-token
// reuse detection in front of its refresh grant (refresh-reuse.ts); and /authorize, which
// validates the request and sends the browser to the dashboard's consent page.
import { AuthorizationError } from "@cloudflare/workers-oauth-provider";
import { asc } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { mcpGateways } from "../../d1/schema";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { GatewayError, notFound } from "../errors";
import { withAdvertisedMetadata } from "./advertised-scopes";
import { atPublicOrigin, hintedSlug, parseAuthorization } from "./authorization-request";
import { gatewaySlugs, isPlainSlug, reloadGatewaySlugs } from "./gateway-slugs";
import { grantOfCredential, invalidGrant, NOT_ISSUED_HERE } from "./grant-credential";
import { refreshWithReuseDetection } from "./refresh-reuse";
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
  return withAdvertisedMetadata(
    await protectedResourceHost(origin, slug).fetch(request, c.env, c.executionCtx),
  );
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

/**
 * A token request's form fields, read from a copy (the library reads the body itself) and under
 * the library's own conditions, so that what is checked here is what the library will act on.
 * A repeated field is refused by the library; the first value is enough here.
 */
async function tokenForm(c: Ctx): Promise<Map<string, string>> {
  const fields = new Map<string, string>();
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (c.req.method !== "POST" || type !== "application/x-www-form-urlencoded") return fields;
  try {
    for (const [name, value] of await c.req.raw.clone().formData()) {
      if (typeof value === "string" && !fields.has(name)) fields.set(name, value);
    }
  } catch {
    // A body that is not a form: the library answers it.
  }
  return fields;
}

oauthRoutes.all(TOKEN_PATH, async (c) => {
  const { origin } = atPublicOrigin(c);
  const form = await tokenForm(c);
  // The `resource` named, to be sure its gateway is known.
  const slug = hintedSlug(origin, form.get("resource"));
  // Without `resource` the grant's own gateway applies: it may be newer than the cached list.
  if (!slug && c.req.method === "POST") await reloadGatewaySlugs(c.env);
  const forward = () => delegate(c, slug);
  const grantType = form.get("grant_type");
  const code = form.get("code");
  if (grantType === "authorization_code" && code && !grantOfCredential(code)) {
    return invalidGrant(NOT_ISSUED_HERE);
  }
  const refreshToken = form.get("refresh_token");
  if (grantType === "refresh_token" && refreshToken) {
    const helpers = async () =>
      (await authorizationServerFor(c.env, origin, slug)).getOAuthApi(c.env);
    return refreshWithReuseDetection(c, refreshToken, helpers, forward);
  }
  return forward();
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
