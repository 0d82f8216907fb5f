import { app, isProxyPath, proxyApp } from "./app";
import { enforceRetention } from "./retention/enforce";
import { consumeTelemetry } from "./telemetry/consume";

export { ExportOutbox } from "../durable-objects/export-outbox";

export { LimitGate } from "../durable-objects/limit-gate";
export { McpSession } from "../durable-objects/mcp-session";
export { SignInGuard } from "../durable-objects/sign-in-guard";
export { UserGate } from "../durable-objects/user-gate";

export default {
  fetch(request, env, ctx) {
    return (isProxyPath(request.url) ? proxyApp : app).fetch(request, env, ctx);
  },
  queue(batch, env, ctx) {
    return consumeTelemetry(batch, env, ctx);
  },
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(enforceRetention(env));
  },
} satisfies ExportedHandler<Env>;
