// Single sign-on: OIDC and Cloudflare Access (being built)
import type { ApiRoute } from "../route";

export const ssoRoutes: ApiRoute[] = [];
