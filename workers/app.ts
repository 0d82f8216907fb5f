// The Worker's HTTP surface: the LLM proxy, the MCP gateway, the admin API and the OAuth
// authorization server, with one error handler.
import { Hono } from "hono";
import { newId } from "../shared/ids";
import { apiRoutes } from "./api";
import type { AppEnv } from "./app-env";
import { errorResponse, notFound } from "./errors";
import { mcpRoutes } from "./mcp/routes";
import { oauthRoutes } from "./oauth/routes";
import { proxyRoutes } from "./proxy/routes";

export const app = new Hono<AppEnv>();

app.use(async function requestId(c, next) {
  c.set("requestId", newId("req"));
  await next();
});
app.route("/v1/anthropic", proxyRoutes);
app.route("/v1/mcp", mcpRoutes);
app.route("/api", apiRoutes);
app.route("/", oauthRoutes);
app.get("/healthz", (c) => c.json({ ok: true }));
app.notFound((c) =>
  errorResponse(notFound(`No route for ${c.req.method} ${c.req.path}.`), c.get("requestId")),
);
app.onError((err, c) => errorResponse(err, c.get("requestId") ?? newId("req")));
