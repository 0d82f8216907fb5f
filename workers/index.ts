import { app, isProxyPath, proxyApp } from "./app";
import { consumeTelemetry } from "./telemetry/consume";

export { LimitGate } from "../durable-objects/limit-gate";
export { McpSession } from "../durable-objects/mcp-session";
export { SignInGuard } from "../durable-objects/sign-in-guard";
export { UserGate } from "../durable-objects/user-gate";

export default {
  fetch(request, env, ctx) {
    return (isProxyPath(request.url) ? proxyApp : app).fetch(request, env, ctx);
  },
  queue(batch, env) {
    return consumeTelemetry(batch, env);
  },
} satisfies ExportedHandler<Env>;
