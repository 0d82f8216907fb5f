import { app } from "./app";

export { UserGate } from "../durable-objects/user-gate";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
