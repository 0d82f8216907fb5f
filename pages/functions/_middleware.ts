// Everything the gateway Worker answers goes to it through the service binding; the rest is
// the static site. The request is forwarded unchanged (method, headers, body stream, URL), so
// the Worker sees the dashboard's origin and cookies, and responses (SSE included) stream back.
interface Env {
  GATEWAY: Fetcher;
}

const GATEWAY_PREFIXES = ["/api/", "/v1/", "/.well-known/"];
const GATEWAY_PATHS = new Set(["/api", "/healthz", "/register", "/authorize", "/token"]);

export function isGatewayPath(pathname: string): boolean {
  return GATEWAY_PATHS.has(pathname) || GATEWAY_PREFIXES.some((p) => pathname.startsWith(p));
}

export const onRequest: PagesFunction<Env> = async ({ request, env, next }) => {
  if (isGatewayPath(new URL(request.url).pathname)) return env.GATEWAY.fetch(request);
  return next();
};
