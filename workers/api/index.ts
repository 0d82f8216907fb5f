// The admin API: every route declared once (see route.ts) and mounted here.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { publicOrigin } from "../public-origin";
import { authRoutes } from "./auth/routes";
import { sessionRoutes } from "./auth/sessions";
import { connectionSetupRoutes } from "./connection-setups";
import { limitRoutes } from "./limits";
import { llmProxyRoutes } from "./llm-proxies";
import { logRoutes } from "./logs";
import { modelPriceRoutes } from "./model-prices";
import { organisationRoutes } from "./organisation";
import { providerKeyRoutes } from "./provider-keys";
import { roleRoutes } from "./roles";
import { type ApiRoute, openApiDocument, route } from "./route";
import { usageRoutes } from "./usage";
import { userRoutes } from "./users";
import { virtualKeyRoutes } from "./virtual-keys/routes";

const openApiRoute = route({
  method: "get",
  path: "/openapi.json",
  summary: "This document",
  access: "public",
  handler: (c) => c.json(openApiDocument(API_ROUTES, `${publicOrigin(c)}/api`)),
});

export const API_ROUTES: readonly ApiRoute[] = [
  ...authRoutes,
  ...sessionRoutes,
  ...userRoutes,
  ...roleRoutes,
  ...providerKeyRoutes,
  ...llmProxyRoutes,
  ...virtualKeyRoutes,
  ...connectionSetupRoutes,
  ...logRoutes,
  ...usageRoutes,
  ...limitRoutes,
  ...modelPriceRoutes,
  ...organisationRoutes,
  openApiRoute,
];

export const apiRoutes = new Hono<AppEnv>();
for (const r of API_ROUTES) r.mount(apiRoutes);
