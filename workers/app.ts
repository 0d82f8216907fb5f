// The Worker's HTTP surface: the LLM proxy, the MCP gateway, the admin API and the OAuth
// authorization server, each app with the same request id, 404 and error handler.
import { Hono } from "hono";
import type { HonoOptions } from "hono/hono-base";
import { PatternRouter } from "hono/router/pattern-router";
import { newId } from "../shared/ids";
import { apiRoutes } from "./api";
import type { AppEnv } from "./app-env";
import { errorResponse, notFound } from "./errors";
import { mcpRoutes } from "./mcp/routes";
import { oauthRoutes } from "./oauth/routes";
import { proxyRoutes } from "./proxy/routes";

/** Where the LLM proxy's routes start (see isProxyPath). */
const PROXY_PREFIX = "/v1/anthropic";

function gatewayApp(options?: HonoOptions<AppEnv>) {
  const app = new Hono<AppEnv>(options);
  app.use(async function requestId(c, next) {
    c.set("requestId", newId("req"));
    await next();
  });
  app.notFound((c) =>
    errorResponse(notFound(`No route for ${c.req.method} ${c.req.path}.`), c.get("requestId")),
  );
  app.onError((err, c) => errorResponse(err, c.get("requestId") ?? newId("req")));
  return app;
}

/**
 * The LLM proxy, the gateway's hot path, on a router of its own: its six routes are tried as
 * six precompiled patterns, not looked up in the whole surface's route tree (which its
 * `/:proxyId` routes would also push off Hono's fastest router).
 */
export const proxyApp = gatewayApp({ router: new PatternRouter() });
proxyApp.route(PROXY_PREFIX, proxyRoutes);

export const app = gatewayApp();
app.route("/v1/mcp", mcpRoutes);
app.route("/api", apiRoutes);
app.route("/", oauthRoutes);
app.get("/healthz", (c) => c.json({ ok: true }));

/** Whether a request URL is the LLM proxy's (`/v1/anthropic/...`), read without parsing it. */
export function isProxyPath(url: string): boolean {
  const path = url.indexOf("/", url.indexOf("://") + 3);
  return path !== -1 && url.startsWith(`${PROXY_PREFIX}/`, path);
}
