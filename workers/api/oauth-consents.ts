// The consent screen's API. The dashboard page (/oauth/consent, opened by /authorize with the
// authorization request's query) asks what it should show, then posts Allow or Deny. The
// library's consent helpers keep the request server-side behind a single-use handle bound to
// this browser by a __Host- cookie; on Allow the grant is written for the signed-in user.
import { AuthorizationError } from "@cloudflare/workers-oauth-provider";
import type { Context } from "hono";
import { z } from "zod";
import type { OAuthConsentDecision, OAuthConsentView } from "../../shared/api-types";
import type { AppEnv } from "../app-env";
import { audit } from "../audit/record";
import { badRequest, forbidden } from "../errors";
import { gatewayAccess } from "../mcp/gateway-access";
import { gatewayOfRequest, parseAuthorization } from "../oauth/authorization-request";
import { CONSENT_EXPIRED, grantedScopes, withConsentHeaders } from "../oauth/consent-helpers";
import type { McpGrantMetadata, McpGrantProps } from "../oauth/grant-props";
import {
  AUTHORIZE_PATH,
  authorizationServerFor,
  canonicalOrigin,
  slugOfResource,
} from "../oauth/server";
import { publicOrigin } from "../public-origin";
import { route } from "./route";

type Ctx = Context<AppEnv>;

const NO_GATEWAY = "This app asked for an MCP gateway that does not exist.";

/** The authorization request the page was opened with, as the browser would send it to /authorize. */
function authorizeRequest(c: Ctx, origin: string, query: string): Request {
  const headers = new Headers();
  const cookie = c.req.header("cookie");
  if (cookie) headers.set("cookie", cookie);
  return new Request(`${origin}${AUTHORIZE_PATH}?${query.replace(/^\?/, "")}`, { headers });
}

/** The helpers' refusals of a handle (expired, used, other browser) as our 400. */
async function consentStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof AuthorizationError) throw badRequest(CONSENT_EXPIRED);
    throw err;
  }
}

export const oauthConsentRoutes = [
  route({
    method: "post",
    path: "/oauth/consents",
    summary:
      "Start the consent screen for an OAuth authorization request (its /authorize query string): what to show, and a single-use handle bound to this browser",
    access: "signed-in",
    audit: { resource: "oauthConsent", action: "begin" },
    body: z.object({ query: z.string().min(1).max(8192) }),
    async handler(c, { body }) {
      const user = c.get("user");
      const origin = canonicalOrigin(publicOrigin(c));
      let parsed: Awaited<ReturnType<typeof parseAuthorization>>;
      try {
        parsed = await parseAuthorization(c.env, origin, authorizeRequest(c, origin, body.query));
      } catch (err) {
        if (err instanceof AuthorizationError) throw badRequest(err.description);
        throw err;
      }
      const { oauth, auth } = parsed;
      const gateway = await gatewayOfRequest(origin, c.env, auth);
      if (!gateway || gateway.orgId !== user.orgId) throw badRequest(NO_GATEWAY);
      const access = await gatewayAccess(c.env, gateway.id, user.id);
      const details = await oauth.describeConsent(auth);
      const scopes = grantedScopes(auth.scope);
      const consent = await oauth.beginConsent({ ...auth, scope: scopes });
      const view: OAuthConsentView = {
        handle: consent.handle,
        client: {
          id: details.clientId,
          name: details.clientName,
          domain: details.clientDomain ?? null,
          uri: details.clientUri ?? null,
        },
        redirectHost: details.redirectHost,
        redirectIsLoopback: details.redirectIsLoopback,
        scopes,
        gateway: { id: gateway.id, slug: gateway.slug, name: gateway.name },
        allowed: access.ok,
        reason: access.ok ? null : access.reason,
      };
      // The handle stays out of the audit log.
      audit(c, {
        action: "oauthConsent.begin",
        resourceType: "mcpGateway",
        resourceId: gateway.id,
        status: 200,
        outcome: "success",
        after: { client: view.client, gateway: view.gateway, scopes, allowed: view.allowed },
      });
      return withConsentHeaders(c.json(view), consent.headers);
    },
  }),
  route({
    method: "post",
    path: "/oauth/consents/:handle",
    summary:
      "Allow or deny a consent screen; answers where the browser goes next (back to the app, with a code or access_denied)",
    access: "signed-in",
    audit: { resource: "oauthConsent", action: "decide" },
    body: z.object({ decision: z.enum(["allow", "deny"]) }),
    async handler(c, { body }) {
      const user = c.get("user");
      const handle = c.req.param("handle") ?? "";
      const origin = canonicalOrigin(publicOrigin(c));
      const oauth = (await authorizationServerFor(c.env, origin)).getOAuthApi(c.env);
      if (body.decision === "deny") {
        const denied = await consentStep(() => oauth.denyConsent(c.req.raw, handle));
        audit(c, {
          action: "oauthConsent.deny",
          status: 200,
          outcome: "success",
          after: { decision: "deny", clientId: denied.request.clientId },
        });
        const answer: OAuthConsentDecision = { redirectTo: denied.redirectTo };
        return withConsentHeaders(c.json(answer), denied.headers);
      }
      const approved = await consentStep(() => oauth.approveConsent(c.req.raw, handle));
      const request = approved.request;
      const gateway = await gatewayOfRequest(origin, c.env, request);
      if (!gateway) throw badRequest(NO_GATEWAY);
      const access = await gatewayAccess(c.env, gateway.id, user.id);
      if (!access.ok) throw forbidden(access.reason);
      const slug = request.resource ? slugOfResource(origin, request.resource) : null;
      const server = await authorizationServerFor(c.env, origin, slug ?? undefined);
      const helpers = server.getOAuthApi(c.env);
      const client = await helpers.lookupClient(request.clientId);
      const clientName = client?.clientName?.trim() || null;
      const scope = grantedScopes(request.scope);
      const props: McpGrantProps = {
        userId: user.id,
        orgId: gateway.orgId,
        gatewayId: gateway.id,
        gatewaySlug: gateway.slug,
        clientName,
      };
      const metadata: McpGrantMetadata = { gatewaySlug: gateway.slug, clientName };
      const { redirectTo } = await helpers.completeAuthorization({
        request: { ...request, scope },
        userId: user.id,
        metadata,
        scope,
        props,
      });
      // The redirect carries the authorization code: it stays out of the audit log.
      audit(c, {
        action: "oauthConsent.allow",
        resourceType: "mcpGateway",
        resourceId: gateway.id,
        status: 200,
        outcome: "success",
        after: { decision: "allow", clientId: request.clientId, clientName, scopes: scope },
      });
      const answer: OAuthConsentDecision = { redirectTo };
      return withConsentHeaders(c.json(answer), approved.headers);
    },
  }),
];
