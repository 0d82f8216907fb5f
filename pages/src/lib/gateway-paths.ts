// What the gateway Worker answers on the dashboard's origin: the Pages Functions forward these
// paths to it, and the dashboard's router leaves links to them to the browser (a click on one
// must load the server's answer, such as the SSO redirect, not a page of the dashboard).

const GATEWAY_PREFIXES = ["/api/", "/v1/", "/.well-known/"];
const GATEWAY_PATHS = ["/api", "/healthz", "/register", "/authorize", "/token"];

export function isGatewayPath(pathname: string): boolean {
  return GATEWAY_PATHS.includes(pathname) || GATEWAY_PREFIXES.some((p) => pathname.startsWith(p));
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/**
 * The router's scope (preact-iso's LocationProvider): the hrefs it may route itself. It is
 * tested against a link's href attribute as written, a path or a full URL, so the pattern
 * refuses a gateway path with or without an origin in front.
 */
export const DASHBOARD_LINKS = new RegExp(
  `^(?!(?:[A-Za-z][A-Za-z\\d+.-]*:)?(?://[^/?#]*)?(?:${[
    ...GATEWAY_PREFIXES.map(escaped),
    ...GATEWAY_PATHS.map((p) => `${escaped(p)}(?:[?#]|$)`),
  ].join("|")}))`,
);
