import { app } from "./app";

export { LimitGate } from "../durable-objects/limit-gate";
export { McpSession } from "../durable-objects/mcp-session";
export { SignInGuard } from "../durable-objects/sign-in-guard";
export { UserGate } from "../durable-objects/user-gate";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
