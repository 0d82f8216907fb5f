// Everything the gateway Worker answers goes to it through the service binding; the rest is
// the static site. The request is forwarded unchanged (method, headers, body stream, URL), so
// the Worker sees the dashboard's origin and cookies, and responses (SSE included) stream back.
import { isGatewayPath } from "../src/lib/gateway-paths";

interface Env {
  GATEWAY: Fetcher;
}

export const onRequest: PagesFunction<Env> = async ({ request, env, next }) => {
  if (isGatewayPath(new URL(request.url).pathname)) return env.GATEWAY.fetch(request);
  return next();
};
