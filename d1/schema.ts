// The D1 schema. Times are integer milliseconds since the epoch; money is integer micro-USD.
// Secrets are stored only as AES-GCM ciphertexts (see shared/crypto.ts) or SHA-256 hashes.
import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const organisations = sqliteTable("organisations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** IANA time zone in which calendar limit windows (day, week, month) start. */
  timeZone: text("time_zone").notNull().default("UTC"),
  /** What the proxy does when a limit's Durable Object cannot be reached. */
  limitFailMode: text("limit_fail_mode", { enum: ["closed", "open"] })
    .notNull()
    .default("closed"),
  /** Keep MCP tool-call arguments and results in the MCP logs (secrets redacted). */
  mcpLogPayloads: integer("mcp_log_payloads", { mode: "boolean" }).notNull().default(false),
  /** Price (ModelPrice JSON) for models with no built-in or admin price; NULL = unpriced. */
  defaultModelPrice: text("default_model_price", { mode: "json" }).$type<ModelPriceJson>(),
  createdAt: integer("created_at").notNull(),
  /**
   * Bumped by triggers (migration 0008) on every write to what the proxy caches: keys, their
   * owners and teams, proxies, provider keys. An isolate's cached records stay in use while
   * their organisation's revision has not moved, so they cost one read per organisation every
   * few seconds instead of one per record (workers/proxy/lookups.ts).
   */
  configRevision: integer("config_revision").notNull().default(0),
  /**
   * Keep prompts and completions (redacted, capped) with the LLM log rows, and send prompts,
   * completions, tool arguments and results as span attributes to the exporter. Off by default.
   */
  captureContent: integer("capture_content", { mode: "boolean" }).notNull().default(false),
  /** Days log rows and captured payloads are kept (a Cron Trigger deletes older ones); NULL = forever. */
  retentionDays: integer("retention_days"),
});

export interface ModelPriceJson {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

/** Admin overrides of the built-in price table, per organisation and model id. */
export const modelPrices = sqliteTable(
  "model_prices",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    model: text("model").notNull(),
    input: integer("input").notNull(),
    output: integer("output").notNull(),
    cacheWrite5m: integer("cache_write_5m").notNull(),
    cacheWrite1h: integer("cache_write_1h").notNull(),
    cacheRead: integer("cache_read").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("model_prices_org_model").on(t.orgId, t.model)],
);

/**
 * Budgets and rate limits. `amount` is micro-USD for cost, a count for tokens and requests.
 * scope_id is NULL for the organisation scope and for the default per-user limit.
 */
export const limits = sqliteTable(
  "limits",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    name: text("name").notNull(),
    scope: text("scope", {
      enum: ["organisation", "team", "user", "virtual_key", "llm_proxy", "default_user"],
    }).notNull(),
    scopeId: text("scope_id"),
    metric: text("metric", { enum: ["cost", "tokens", "requests"] }).notNull(),
    window: text("window", { enum: ["minute", "hour", "day", "week", "month"] }).notNull(),
    amount: integer("amount").notNull(),
    /** JSON array of model ids the limit applies to, or NULL for every model. */
    models: text("models", { mode: "json" }).$type<string[]>(),
    /** Bumped when the window changes, which starts the usage count afresh. */
    windowVersion: integer("window_version").notNull().default(1),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("limits_org").on(t.orgId)],
);

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** A built-in role name (see workers/api/permissions.ts) or the id of a custom role. */
    role: text("role").notNull(),
    passwordHash: text("password_hash"),
    status: text("status", { enum: ["active", "deactivated"] })
      .notNull()
      .default("active"),
    createdAt: integer("created_at").notNull(),
    deactivatedAt: integer("deactivated_at"),
    /** How the account was made: by an admin or invitation (password), or on first SSO sign-in. */
    origin: text("origin", { enum: ["password", "invitation", "oidc", "access"] })
      .notNull()
      .default("password"),
    /** "<issuer>|<sub>" for an account linked to an OIDC identity. */
    oidcSubject: text("oidc_subject"),
    lastSignInAt: integer("last_sign_in_at"),
  },
  (t) => [
    uniqueIndex("users_email").on(t.email),
    index("users_org_role").on(t.orgId, t.role),
    uniqueIndex("users_oidc_subject").on(t.oidcSubject),
  ],
);

export const teams = sqliteTable(
  "teams",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    name: text("name").notNull(),
    description: text("description"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("teams_org_name").on(t.orgId, sql`lower(${t.name})`)],
);

export const teamMembers = sqliteTable(
  "team_members",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    orgId: text("org_id").notNull(),
    addedAt: integer("added_at").notNull(),
  },
  (t) => [
    uniqueIndex("team_members_pair").on(t.teamId, t.userId),
    index("team_members_user").on(t.userId),
  ],
);

/**
 * Which teams may use an LLM proxy (or, later, an MCP gateway). A proxy with no rows here is
 * open to everyone in the organisation.
 */
export const llmProxyTeams = sqliteTable(
  "llm_proxy_teams",
  {
    proxyId: text("proxy_id").notNull(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id),
    orgId: text("org_id").notNull(),
  },
  (t) => [
    uniqueIndex("llm_proxy_teams_pair").on(t.proxyId, t.teamId),
    index("llm_proxy_teams_team").on(t.teamId),
  ],
);

/** Invitation links: single use, expiring; only the SHA-256 of the token is kept. */
export const invitations = sqliteTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    email: text("email").notNull(),
    role: text("role").notNull(),
    /** JSON array of team ids the new member joins. */
    teamIds: text("team_ids", { mode: "json" }).$type<string[]>().notNull(),
    tokenHash: text("token_hash").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    acceptedAt: integer("accepted_at"),
    acceptedUserId: text("accepted_user_id"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    uniqueIndex("invitations_token_hash").on(t.tokenHash),
    index("invitations_org_email").on(t.orgId, t.email),
  ],
);

/** Password-reset links an admin generates for a member: single use, expiring. */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    tokenHash: text("token_hash").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [uniqueIndex("password_resets_token_hash").on(t.tokenHash)],
);

/** An organisation's single sign-on: OIDC and/or Cloudflare Access. */
export const ssoSettings = sqliteTable("sso_settings", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => organisations.id),
  oidcEnabled: integer("oidc_enabled", { mode: "boolean" }).notNull().default(false),
  oidcIssuer: text("oidc_issuer"),
  oidcClientId: text("oidc_client_id"),
  /** AES-GCM ciphertext of the client secret (AAD: the organisation id); NULL for public clients. */
  oidcClientSecret: text("oidc_client_secret"),
  oidcScopes: text("oidc_scopes").notNull().default("openid email profile"),
  /** The ID-token claim that carries groups or roles, e.g. "groups". */
  oidcRoleClaim: text("oidc_role_claim"),
  /** JSON { "<claim value>": "<role name or custom role id>" }, first match wins. */
  oidcRoleMapping: text("oidc_role_mapping", { mode: "json" }).$type<Record<string, string>>(),
  /** JSON { "<claim value>": "<team id>" }: membership follows the claim on each sign-in. */
  oidcTeamMapping: text("oidc_team_mapping", { mode: "json" }).$type<Record<string, string>>(),
  /** Role for a newly provisioned user when no mapping matches. */
  oidcDefaultRole: text("oidc_default_role").notNull().default("member"),
  /** Password sign-in refused for everyone but admins (who keep it as a break-glass way in). */
  ssoOnly: integer("sso_only", { mode: "boolean" }).notNull().default(false),
  accessEnabled: integer("access_enabled", { mode: "boolean" }).notNull().default(false),
  /** e.g. "acme.cloudflareaccess.com" */
  accessTeamDomain: text("access_team_domain"),
  /** The Access application's audience (AUD) tag. */
  accessAudience: text("access_audience"),
  updatedAt: integer("updated_at").notNull(),
});

/** OIDC sign-ins in flight: state → nonce and PKCE verifier, for ten minutes, used once. */
export const oidcLogins = sqliteTable("oidc_logins", {
  state: text("state").primaryKey(),
  orgId: text("org_id").notNull(),
  nonce: text("nonce").notNull(),
  codeVerifier: text("code_verifier").notNull(),
  /** Dashboard path to return to after sign-in. */
  returnTo: text("return_to").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

/** Every change made through /api, and every refused sign-in or token; never a secret. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id"),
    at: integer("at").notNull(),
    actorUserId: text("actor_user_id"),
    actorEmail: text("actor_email"),
    /** session, token, oidc, access, invitation, system or anonymous. */
    actorVia: text("actor_via").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** "<resource>.<verb>", e.g. "llmProxy.update", "auth.login_failed". */
    action: text("action").notNull(),
    method: text("method"),
    path: text("path"),
    resourceType: text("resource_type"),
    resourceId: text("resource_id"),
    /** HTTP status of the answer. */
    status: integer("status").notNull(),
    outcome: text("outcome", { enum: ["success", "denied", "error"] }).notNull(),
    /** Redacted JSON snapshots; secrets are replaced before anything is stored. */
    before: text("before", { mode: "json" }).$type<unknown>(),
    after: text("after", { mode: "json" }).$type<unknown>(),
    detail: text("detail"),
  },
  (t) => [
    index("audit_log_org_at").on(t.orgId, t.at),
    index("audit_log_actor").on(t.actorUserId, t.at),
    index("audit_log_resource").on(t.resourceType, t.resourceId),
  ],
);

/** An organisation's own roles; the built-in ones live in code and are never stored. */
export const roles = sqliteTable(
  "roles",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    name: text("name").notNull(),
    description: text("description"),
    /** JSON array of permission names. */
    permissions: text("permissions", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  // "Auditors" and "auditors" would be two roles nobody can tell apart in a list.
  (t) => [uniqueIndex("roles_org_name").on(t.orgId, sql`lower(${t.name})`)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    /** SHA-256 of the cookie value; the cookie itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    userAgent: text("user_agent"),
  },
  (t) => [uniqueIndex("sessions_token_hash").on(t.tokenHash), index("sessions_user").on(t.userId)],
);

export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    tokenPrefix: text("token_prefix").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_tokens_hash").on(t.tokenHash), index("api_tokens_user").on(t.userId)],
);

export const providerKeys = sqliteTable(
  "provider_keys",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    name: text("name").notNull(),
    provider: text("provider", { enum: ["anthropic"] }).notNull(),
    secretCiphertext: text("secret_ciphertext").notNull(),
    secretLast4: text("secret_last4").notNull(),
    baseUrl: text("base_url"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("provider_keys_org").on(t.orgId)],
);

export const llmProxies = sqliteTable(
  "llm_proxies",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    name: text("name").notNull(),
    provider: text("provider", { enum: ["anthropic"] }).notNull(),
    providerKeyId: text("provider_key_id").references(() => providerKeys.id),
    /** JSON array of model ids, or NULL for every model. */
    allowedModels: text("allowed_models", { mode: "json" }).$type<string[]>(),
    isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
    /** Direct provider credentials without a passthrough key are accepted (and unattributed). */
    allowAnonymous: integer("allow_anonymous", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("llm_proxies_org").on(t.orgId),
    uniqueIndex("llm_proxies_one_default").on(t.orgId).where(sql`${t.isDefault} = 1`),
  ],
);

export const virtualKeys = sqliteTable(
  "virtual_keys",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["standard", "passthrough"] }).notNull(),
    ownerUserId: text("owner_user_id")
      .notNull()
      .references(() => users.id),
    providerKeyId: text("provider_key_id").references(() => providerKeys.id),
    tokenHash: text("token_hash").notNull(),
    tokenPrefix: text("token_prefix").notNull(),
    /** AES-GCM copy so the owner can download the same key again. */
    tokenCiphertext: text("token_ciphertext").notNull(),
    /** Set on the two keys the Connect flow makes per user and proxy. */
    connectionProxyId: text("connection_proxy_id"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [
    uniqueIndex("virtual_keys_hash").on(t.tokenHash),
    index("virtual_keys_org_owner").on(t.orgId, t.ownerUserId),
    // One live Connection key of each kind per user and proxy, even under concurrent downloads.
    uniqueIndex("virtual_keys_one_connection")
      .on(t.ownerUserId, t.connectionProxyId, t.kind)
      .where(sql`${t.connectionProxyId} IS NOT NULL AND ${t.revokedAt} IS NULL`),
  ],
);

export const llmRequests = sqliteTable(
  "llm_requests",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    createdAt: integer("created_at").notNull(),
    proxyId: text("proxy_id").notNull(),
    endpoint: text("endpoint", { enum: ["messages", "count_tokens", "models"] }).notNull(),
    userId: text("user_id"),
    virtualKeyId: text("virtual_key_id"),
    passthroughKeyId: text("passthrough_key_id"),
    credential: text("credential", { enum: ["virtual_key", "direct"] }).notNull(),
    billingMode: text("billing_mode", { enum: ["metered", "subscription"] }).notNull(),
    agentId: text("agent_id"),
    model: text("model"),
    streamed: integer("streamed", { mode: "boolean" }).notNull(),
    status: integer("status").notNull(),
    errorType: text("error_type"),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    cacheWrite5mTokens: integer("cache_write_5m_tokens").notNull(),
    cacheWrite1hTokens: integer("cache_write_1h_tokens").notNull(),
    cacheReadTokens: integer("cache_read_tokens").notNull(),
    /** What is billed: 0 for a subscription; NULL when the model has no price (flagged). */
    costMicroUsd: integer("cost_micro_usd"),
    /** The list-price estimate, kept apart for subscription requests (equal when metered). */
    listCostMicroUsd: integer("list_cost_micro_usd"),
    ttfbMs: integer("ttfb_ms"),
    durationMs: integer("duration_ms").notNull(),
    clientGone: integer("client_gone", { mode: "boolean" }).notNull(),
    upstreamRequestId: text("upstream_request_id"),
    /** Set in the same batch that adds the row to usage_daily, so it is counted once. */
    rolledUp: integer("rolled_up", { mode: "boolean" }).notNull().default(false),
    /** `gen_ai.conversation.id`: X-Archestra-Session-Id, else the client's own session id. */
    conversationId: text("conversation_id"),
    /** The W3C trace id of the request's spans (the client's, or one the gateway started). */
    traceId: text("trace_id"),
    /** Time the gateway itself added: before the provider call and between its answer and ours. */
    overheadMs: integer("overhead_ms"),
  },
  (t) => [
    index("llm_requests_conversation").on(t.orgId, t.conversationId, t.createdAt),
    index("llm_requests_org_time").on(t.orgId, t.createdAt),
    index("llm_requests_user_time").on(t.orgId, t.userId, t.createdAt),
    index("llm_requests_proxy_time").on(t.orgId, t.proxyId, t.createdAt),
  ],
);

/**
 * Daily usage (UTC days) per organisation, user, team, proxy, model, key and billing mode,
 * added to in batches as the gates flush log rows. Empty strings stand for "none" so the
 * unique key treats them as equal.
 */
export const usageDaily = sqliteTable(
  "usage_daily",
  {
    day: text("day").notNull(),
    orgId: text("org_id").notNull(),
    userId: text("user_id").notNull(),
    teamId: text("team_id").notNull(),
    proxyId: text("proxy_id").notNull(),
    model: text("model").notNull(),
    virtualKeyId: text("virtual_key_id").notNull(),
    billingMode: text("billing_mode", { enum: ["metered", "subscription"] }).notNull(),
    requests: integer("requests").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    cacheWrite5mTokens: integer("cache_write_5m_tokens").notNull(),
    cacheWrite1hTokens: integer("cache_write_1h_tokens").notNull(),
    cacheReadTokens: integer("cache_read_tokens").notNull(),
    costMicroUsd: integer("cost_micro_usd").notNull(),
    listCostMicroUsd: integer("list_cost_micro_usd").notNull(),
    unpricedRequests: integer("unpriced_requests").notNull(),
  },
  (t) => [
    uniqueIndex("usage_daily_key").on(
      t.day,
      t.orgId,
      t.userId,
      t.teamId,
      t.proxyId,
      t.model,
      t.virtualKeyId,
      t.billingMode,
    ),
    index("usage_daily_org_day").on(t.orgId, t.day),
  ],
);

export type User = typeof users.$inferSelect;
export type Role = typeof roles.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;
export type Limit = typeof limits.$inferSelect;
export type ProviderKey = typeof providerKeys.$inferSelect;
export type LlmProxy = typeof llmProxies.$inferSelect;
export type VirtualKey = typeof virtualKeys.$inferSelect;
export type LlmRequestRow = typeof llmRequests.$inferInsert;

/**
 * Upstream MCP servers (Streamable HTTP). Their credentials are one AES-GCM ciphertext of the
 * auth JSON (see workers/mcp/upstream-auth.ts), bound to the row id; never returned.
 * `name` prefixes the server's tools as `<name>__<tool>`, so it is a short lowercase slug.
 */
export const mcpServers = sqliteTable(
  "mcp_servers",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    name: text("name").notNull(),
    description: text("description"),
    url: text("url").notNull(),
    authKind: text("auth_kind", { enum: ["none", "headers", "bearer"] }).notNull(),
    authCiphertext: text("auth_ciphertext"),
    /** What the dashboard may show of the credentials: header names, or a bearer's last 4. */
    authHint: text("auth_hint"),
    /** How long a call may take before it fails as a tool error. */
    timeoutMs: integer("timeout_ms").notNull().default(30_000),
    lastTestedAt: integer("last_tested_at"),
    lastTestError: text("last_test_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("mcp_servers_org_name").on(t.orgId, t.name)],
);

/**
 * The tools last seen on an upstream server, and whether the gateway offers them. A tool the
 * upstream gains later has no row yet and is enabled; only `enabled = 0` hides a tool.
 */
export const mcpServerTools = sqliteTable(
  "mcp_server_tools",
  {
    serverId: text("server_id")
      .notNull()
      .references(() => mcpServers.id),
    orgId: text("org_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    seenAt: integer("seen_at").notNull(),
  },
  (t) => [uniqueIndex("mcp_server_tools_pair").on(t.serverId, t.name)],
);

/** An MCP gateway: one URL, `/v1/mcp/<slug>`, aggregating the servers assigned to it. */
export const mcpGateways = sqliteTable(
  "mcp_gateways",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("mcp_gateways_slug").on(t.slug), index("mcp_gateways_org").on(t.orgId)],
);

export const mcpGatewayServers = sqliteTable(
  "mcp_gateway_servers",
  {
    gatewayId: text("gateway_id")
      .notNull()
      .references(() => mcpGateways.id),
    serverId: text("server_id")
      .notNull()
      .references(() => mcpServers.id),
    orgId: text("org_id").notNull(),
  },
  (t) => [
    uniqueIndex("mcp_gateway_servers_pair").on(t.gatewayId, t.serverId),
    index("mcp_gateway_servers_server").on(t.serverId),
  ],
);

/** Which teams may use a gateway; a gateway with no rows is open to the whole organisation. */
export const mcpGatewayTeams = sqliteTable(
  "mcp_gateway_teams",
  {
    gatewayId: text("gateway_id")
      .notNull()
      .references(() => mcpGateways.id),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id),
    orgId: text("org_id").notNull(),
  },
  (t) => [
    uniqueIndex("mcp_gateway_teams_pair").on(t.gatewayId, t.teamId),
    index("mcp_gateway_teams_team").on(t.teamId),
  ],
);

/**
 * One row per tools/call through a gateway. Arguments and results are kept only when the
 * organisation turns it on (organisations.mcp_log_payloads), with secrets redacted.
 */
export const mcpToolCalls = sqliteTable(
  "mcp_tool_calls",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    at: integer("at").notNull(),
    userId: text("user_id").notNull(),
    clientId: text("client_id"),
    clientName: text("client_name"),
    gatewayId: text("gateway_id").notNull(),
    gatewaySlug: text("gateway_slug").notNull(),
    serverId: text("server_id"),
    serverName: text("server_name"),
    /** The name the client called (`<server>__<tool>`). */
    tool: text("tool").notNull(),
    /** The upstream's own name for it, when it resolved to one. */
    upstreamTool: text("upstream_tool"),
    sessionId: text("session_id"),
    durationMs: integer("duration_ms").notNull(),
    outcome: text("outcome", {
      enum: ["ok", "tool_error", "upstream_error", "timeout", "refused"],
    }).notNull(),
    error: text("error"),
    requestBytes: integer("request_bytes").notNull(),
    responseBytes: integer("response_bytes").notNull(),
    arguments: text("arguments"),
    result: text("result"),
    conversationId: text("conversation_id"),
    traceId: text("trace_id"),
  },
  (t) => [
    index("mcp_tool_calls_conversation").on(t.orgId, t.conversationId, t.at),
    index("mcp_tool_calls_org_at").on(t.orgId, t.at),
    index("mcp_tool_calls_user_at").on(t.userId, t.at),
    index("mcp_tool_calls_gateway_at").on(t.gatewayId, t.at),
  ],
);

export type McpServer = typeof mcpServers.$inferSelect;
export type McpServerTool = typeof mcpServerTools.$inferSelect;
export type McpGateway = typeof mcpGateways.$inferSelect;
export type McpToolCall = typeof mcpToolCalls.$inferSelect;

/**
 * Telemetry messages the queue consumer could not store: a message of an unknown shape or
 * version, a row D1 refused, or one the queue gave up delivering. Kept whole (messages carry
 * no secrets) so an admin can read the reason and send it again. Keyed by the queue message's
 * id, so a redelivered dead letter is kept once.
 */
export const telemetryDeadLetters = sqliteTable(
  "telemetry_dead_letters",
  {
    id: text("id").primaryKey(),
    /** The organisation the message's row belongs to; NULL when the message had none. */
    orgId: text("org_id"),
    /** "llm_request", "mcp_tool_call", or "unknown" for a message of another shape. */
    kind: text("kind").notNull(),
    /** The row's id, when the message had one. */
    rowId: text("row_id"),
    reason: text("reason").notNull(),
    /** The message body as JSON. */
    body: text("body").notNull(),
    attempts: integer("attempts").notNull(),
    failedAt: integer("failed_at").notNull(),
  },
  (t) => [index("telemetry_dead_letters_org_time").on(t.orgId, t.failedAt)],
);

export type TelemetryDeadLetter = typeof telemetryDeadLetters.$inferSelect;

/**
 * Prompts and completions of LLM requests, kept only while the organisation captures content
 * (organisations.capture_content): redacted like the audit log and capped in size.
 */
export const llmPayloads = sqliteTable(
  "llm_payloads",
  {
    requestId: text("request_id").primaryKey(),
    orgId: text("org_id").notNull(),
    createdAt: integer("created_at").notNull(),
    /** The request's system prompt and messages, as JSON (or a truncated preview). */
    request: text("request"),
    /** The completion's text and tool calls, as JSON (or a truncated preview). */
    response: text("response"),
  },
  (t) => [index("llm_payloads_org_time").on(t.orgId, t.createdAt)],
);

export type LlmPayload = typeof llmPayloads.$inferSelect;

/**
 * Where an organisation's spans and metrics go (OTLP over HTTP). Header values are kept only
 * as one AES-GCM ciphertext of their JSON; their names are kept apart so the dashboard can
 * show which headers are set without ever returning a value.
 */
export const telemetryExporters = sqliteTable("telemetry_exporters", {
  orgId: text("org_id").primaryKey(),
  protocol: text("protocol", { enum: ["http/json", "http/protobuf"] }).notNull(),
  /** The collector's base URL; traces go to <endpoint>/v1/traces, metrics to /v1/metrics. */
  endpoint: text("endpoint").notNull(),
  headerNames: text("header_names", { mode: "json" }).$type<string[]>().notNull(),
  headersCiphertext: text("headers_ciphertext"),
  /** Share of traces exported, 0 to 1 (by trace id, so a trace is kept or dropped whole). */
  samplingRatio: real("sampling_ratio").notNull().default(1),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  updatedAt: integer("updated_at").notNull(),
});

export type TelemetryExporter = typeof telemetryExporters.$inferSelect;
