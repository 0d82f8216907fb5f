// The MCP endpoint's bearer-token gate: each gateway is an OAuth protected resource, hosted by
// workers-oauth-provider's OAuthResourceServer (one per origin and slug, cached), whose
// validator asks the cached authorization server. So the 401/403 challenges are the library's
// (their `scope` widened to what clients should ask for, advertised-scopes.ts): no, expired,
// revoked or foreign token → 401 with `resource_metadata`; a token without `mcp` → 403
// insufficient_scope. A token issued for gateway A has A's audience and is refused at B.
import {
  insufficientScope,
  type OAuthResourceAuth,
  OAuthResourceServer,
} from "@cloudflare/workers-oauth-provider";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { notFound } from "../errors";
import { publicOrigin } from "../public-origin";
import { withAdvertisedChallenge } from "./advertised-scopes";
import { gatewaySlugs } from "./gateway-slugs";
import { type McpGrantProps, parseGrantProps } from "./grant-props";
import {
  authorizationServerFor,
  canonicalOrigin,
  gatewayResource,
  REQUIRED_SCOPES,
} from "./server";

export interface McpTokenAuth {
  userId: string;
  orgId: string;
  gatewayId: string;
  clientId: string;
  clientName: string | null;
  scopes: string[];
}

type Continue = (auth: OAuthResourceAuth, props: McpGrantProps) => Promise<Response>;

/** The caller's continuation for one request, keyed by the execution context handed to the host. */
const continuations = new WeakMap<object, Continue>();

const MAX_CACHED = 256;
const hosts = new Map<string, OAuthResourceServer<Env, McpGrantProps>>();

function resourceServerFor(origin: string, slug: string): OAuthResourceServer<Env, McpGrantProps> {
  const key = `${origin} ${slug}`;
  const hit = hosts.get(key);
  if (hit) return hit;
  const host = new OAuthResourceServer<Env, McpGrantProps>({
    resourceMetadata: {
      resource: gatewayResource(origin, slug),
      authorization_servers: [origin],
    },
    requiredScopes: [...REQUIRED_SCOPES],
    validateToken: (env) => async (resource, token) => {
      const server = await authorizationServerFor(env, origin, slug);
      const valid = await server.validateToken<unknown>(resource, token, env);
      if (!valid) return null;
      const props = parseGrantProps(valid.props);
      // The audience already says which gateway; the props must agree.
      if (!props || props.gatewaySlug !== slug) return null;
      return { ...valid, props };
    },
    handler: {
      fetch(_request, _env, ctx) {
        const next = continuations.get(ctx);
        if (!next) throw new Error("MCP token gate: no continuation for this request");
        return next(ctx.auth, ctx.props);
      },
    },
  });
  hosts.set(key, host);
  for (const old of hosts.keys()) {
    if (hosts.size <= MAX_CACHED) break;
    hosts.delete(old);
  }
  return host;
}

/** This gateway's protected-resource host, for its RFC 9728 metadata document. */
export function protectedResourceHost(
  origin: string,
  slug: string,
): OAuthResourceServer<Env, McpGrantProps> {
  return resourceServerFor(origin, slug);
}

function executionContext(c: Context<AppEnv>): ExecutionContext {
  let outer: ExecutionContext | undefined;
  try {
    outer = c.executionCtx;
  } catch {
    outer = undefined;
  }
  return {
    waitUntil: (promise) => outer?.waitUntil(promise),
    passThroughOnException: () => outer?.passThroughOnException(),
    props: undefined,
  };
}

/**
 * Runs `handler` when the request carries a valid access token for exactly this gateway with
 * the `mcp` scope; otherwise answers the library's 401 or 403 challenge, naming the scopes a
 * client should ask for (advertised-scopes.ts). Unknown slug → 404.
 */
export async function withMcpToken(
  c: Context<AppEnv>,
  slug: string,
  handler: (auth: McpTokenAuth) => Promise<Response>,
): Promise<Response> {
  const origin = canonicalOrigin(publicOrigin(c));
  const slugs = await gatewaySlugs(c.env, slug);
  if (!slugs.includes(slug)) throw notFound("No such MCP gateway.");
  // The host answers only at its canonical URL: present the request there (the public origin
  // may differ from the one this Worker was reached at). The body stays with the caller.
  const url = new URL(c.req.url);
  const headers = new Headers(c.req.raw.headers);
  headers.delete("content-length");
  const request = new Request(`${gatewayResource(origin, slug)}${url.search}`, {
    method: c.req.method,
    headers,
  });
  const ctx = executionContext(c);
  continuations.set(ctx, async (auth, props) => {
    if (!REQUIRED_SCOPES.every((s) => auth.scope.includes(s))) {
      return insufficientScope(auth, [...REQUIRED_SCOPES]);
    }
    return handler({
      userId: props.userId,
      orgId: props.orgId,
      gatewayId: props.gatewayId,
      clientId: auth.clientId ?? "",
      clientName: props.clientName,
      scopes: [...auth.scope],
    });
  });
  return withAdvertisedChallenge(await resourceServerFor(origin, slug).fetch(request, c.env, ctx));
}
