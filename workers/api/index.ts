// The admin API: every route declared once (see route.ts) and mounted here.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { publicOrigin } from "../public-origin";
import { auditRoutes } from "./audit";
import { authRoutes } from "./auth/routes";
import { sessionRoutes } from "./auth/sessions";
import { ssoRoutes } from "./auth/sso";
import { connectionSetupRoutes } from "./connection-setups";
import { encryptionKeyRoutes } from "./encryption-key";
import { invitationRoutes } from "./invitations";
import { limitRoutes } from "./limits";
import { llmProxyRoutes } from "./llm-proxies";
import { logRoutes } from "./logs";
import { mcpGatewayRoutes } from "./mcp-gateways";
import { mcpLogRoutes } from "./mcp-logs";
import { mcpServerRoutes } from "./mcp-servers";
import { modelPriceRoutes } from "./model-prices";
import { oauthConnectionRoutes } from "./oauth-connections";
import { oauthConsentRoutes } from "./oauth-consents";
import { observabilityRoutes } from "./observability";
import { organisationRoutes } from "./organisation";
import { providerKeyRoutes } from "./provider-keys";
import { roleRoutes } from "./roles";
import { type ApiRoute, openApiDocument, route } from "./route";
import { teamRoutes } from "./teams";
import { telemetryRoutes } from "./telemetry";
import { exporterRoutes } from "./telemetry-exporter";
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
  ...ssoRoutes,
  ...invitationRoutes,
  ...teamRoutes,
  ...auditRoutes,
  ...userRoutes,
  ...roleRoutes,
  ...providerKeyRoutes,
  ...llmProxyRoutes,
  ...virtualKeyRoutes,
  ...connectionSetupRoutes,
  ...logRoutes,
  ...mcpServerRoutes,
  ...mcpGatewayRoutes,
  ...mcpLogRoutes,
  ...telemetryRoutes,
  ...exporterRoutes,
  ...observabilityRoutes,
  ...oauthConsentRoutes,
  ...oauthConnectionRoutes,
  ...usageRoutes,
  ...limitRoutes,
  ...modelPriceRoutes,
  ...organisationRoutes,
  ...encryptionKeyRoutes,
  openApiRoute,
];

export const apiRoutes = new Hono<AppEnv>();
for (const r of API_ROUTES) r.mount(apiRoutes);
