// The shapes /api answers with. The Worker's serializers are typed with these and the
// dashboard reads them, so a change to either side fails the type check of the other.
// Times are epoch milliseconds; money is integer micro-dollars (µ$) unless a field says USD.

/** A built-in role ("admin", "editor", "member") or the id of an organisation's custom role. */
export type RoleName = string;
export type KeyKind = "standard" | "passthrough";
export type KeyStatus = "active" | "revoked" | "expired";
export type BillingMode = "metered" | "subscription";

export interface ApiErrorBody {
  type: "error";
  error: { type: string; message: string; fields?: { path: string; message: string }[] };
  request_id?: string;
}

export interface ListOf<T> {
  data: T[];
}

export interface UserView {
  id: string;
  organisationId: string;
  email: string;
  name: string;
  role: RoleName;
  permissions: string[];
}

export interface SetupStatus {
  /** No user exists yet: the first-run screen creates the first admin. */
  needed: boolean;
  /** Outside local development, setup needs the SETUP_TOKEN secret. */
  tokenRequired: boolean;
}

export interface RoleView {
  /** The built-in role's name, or the custom role's id. */
  id: string;
  name: string;
  builtIn: boolean;
  permissions: string[];
  description: string | null;
}

export interface MemberView {
  id: string;
  email: string;
  name: string;
  role: RoleName;
  status: string;
  createdAt: number;
}

export interface SessionView {
  id: string;
  createdAt: number;
  expiresAt: number;
  userAgent: string | null;
  current: boolean;
}

export interface ProviderKeyView {
  id: string;
  name: string;
  provider: string;
  secretLast4: string;
  baseUrl: string | null;
  createdAt: number;
}

export interface LlmProxyView {
  id: string;
  name: string;
  provider: string;
  providerKeyId: string | null;
  allowedModels: string[] | null;
  isDefault: boolean;
  allowAnonymous: boolean;
  /** Teams whose members may use the proxy; empty: everyone in the organisation. */
  teamIds?: string[];
  /** What clients use as their Anthropic base URL. */
  baseUrl: string;
  createdAt: number;
  updatedAt: number;
}

export interface VirtualKeyView {
  id: string;
  name: string;
  kind: KeyKind;
  ownerUserId: string;
  ownerEmail?: string;
  ownerName?: string;
  providerKeyId: string | null;
  /** The first characters of the token, to recognise it. */
  prefix: string;
  connectionProxyId: string | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  status: KeyStatus;
}

export interface MintedKey extends VirtualKeyView {
  /** Shown in this response only. */
  token: string;
}

export interface ConnectionKeys {
  proxyId: string;
  standardKey: VirtualKeyView;
  passthroughKey: VirtualKeyView;
}

export interface ClaudeDesktopDownload<P> {
  fileName: string;
  contentType: "application/json";
  content: string;
  profile: P;
  preview: P;
  warning: string;
}

/** What any Anthropic client needs: base URL, API key and the attribution headers. */
export interface ConnectionCredentials {
  proxyId: string;
  baseUrl: string;
  apiKey: string;
  headers: Record<string, string>;
}

export interface LimitUsage {
  used: number;
  reserved: number;
  remaining: number;
  resetAt: number;
}

export type LimitScope =
  | "organisation"
  | "team"
  | "user"
  | "default_user"
  | "virtual_key"
  | "llm_proxy";
export type LimitMetric = "cost" | "tokens" | "requests";
export type LimitWindow = "minute" | "hour" | "day" | "week" | "month";

export interface LimitView {
  id: string;
  name: string;
  scope: LimitScope;
  scopeId: string | null;
  metric: LimitMetric;
  window: LimitWindow;
  /** µ$ for a cost limit, else a count. */
  amount: number;
  amountUsd: number | null;
  models: string[] | null;
  windowVersion: number;
  /** null when the limit's Durable Object could not be reached. */
  usage: LimitUsage | null;
  createdAt: number;
  updatedAt: number;
}

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  costMicroUsd: number;
  listCostMicroUsd: number;
  unpricedRequests: number;
}

export type UsageDimension = "day" | "user" | "team" | "proxy" | "model" | "key" | "billingMode";

export type UsageRow = UsageTotals & Partial<Record<UsageDimension, string | null>>;

export interface UsageReport {
  from: string;
  to: string;
  groupBy: UsageDimension[];
  data: UsageRow[];
}

export interface OrganisationView {
  id: string;
  name: string;
  timeZone: string;
  limitFailMode: "closed" | "open";
  /** Keep MCP tool-call arguments and results in the MCP logs (secrets redacted). */
  mcpLogPayloads: boolean;
  defaultModelPrice: PriceView | null;
  /** Capture prompts, completions, tool arguments and results (redacted, capped). Off by default. */
  captureContent: boolean;
  /** Days log rows and captured content are kept (1–3650); null keeps them forever. */
  retentionDays: number | null;
  createdAt: number;
}

export interface PriceView {
  usdPerMTok: TokenPriceFields;
  microUsdPerMTok: TokenPriceFields;
}

export interface TokenPriceFields {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

/** One row of GET /api/model-prices: a built-in model's price, or the organisation's own. */
export interface ModelPriceView extends PriceView {
  model: string;
  displayName: string;
  aliases: string[];
  source: "built-in" | "override";
  /** A higher price above a prompt length, for built-in models that have one. */
  longPrompt: (PriceView & { aboveTokens: number }) | null;
  updatedAt: number | null;
}

export interface ModelPriceList extends ListOf<ModelPriceView> {
  /** The organisation's price for models with none of their own; null: they go unpriced. */
  defaultPrice: PriceView | null;
}

export interface TeamView {
  id: string;
  name: string;
  description: string | null;
  memberCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface TeamMemberView {
  userId: string;
  email: string;
  name: string;
  role: RoleName;
  status: string;
  addedAt: number;
}

/** One team with its members and the LLM proxies restricted to it (among others). */
export interface TeamDetail extends TeamView {
  members: TeamMemberView[];
  llmProxyIds: string[];
}

export type InvitationStatus = "pending" | "expired" | "accepted" | "revoked";

export interface InvitationView {
  id: string;
  email: string;
  role: RoleName;
  /** The role's display name (a custom role's name, or the built-in role's). */
  roleName: string;
  teamIds: string[];
  status: InvitationStatus;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
  acceptedUserId: string | null;
  revokedAt: number | null;
}

export interface CreatedInvitation extends InvitationView {
  /** Shown in this response only; only its SHA-256 is stored. */
  token: string;
  /** The link to hand to the invitee: <public origin>/invite/<token>. */
  url: string;
}

/** What the public invitation page shows before the invitee sets a password. */
export interface InvitationLookup {
  email: string;
  organisationName: string;
  roleName: string;
  expiresAt: number;
}

/** A password-reset link an admin hands to a member; shown once. */
export interface PasswordResetLink {
  url: string;
  expiresAt: number;
}

/**
 * GET /api/sso: the organisation's single sign-on. The OIDC client secret is write-only:
 * only whether one is set is ever returned.
 */
export interface SsoSettingsView {
  oidcEnabled: boolean;
  oidcIssuer: string | null;
  oidcClientId: string | null;
  hasClientSecret: boolean;
  /** Space-separated; always includes "openid". */
  oidcScopes: string;
  /** The ID-token claim (string or array of strings) read for role and team mapping. */
  oidcRoleClaim: string | null;
  /** Claim value → built-in role name or custom role id; the first entry that matches wins. */
  oidcRoleMapping: Record<string, string>;
  /** Claim value → team id; membership of these teams follows the claim on every sign-in. */
  oidcTeamMapping: Record<string, string>;
  /** Role given to a new SSO user when no mapping matches. */
  oidcDefaultRole: string;
  /** The redirect URI to register with the identity provider. */
  oidcRedirectUri: string;
  /** Password sign-in refused for everyone but admins. */
  ssoOnly: boolean;
  accessEnabled: boolean;
  /** "acme.cloudflareaccess.com" (or a loopback base URL in tests). */
  accessTeamDomain: string | null;
  /** The Access application's audience (AUD) tag. */
  accessAudience: string | null;
  updatedAt: number | null;
}

/** PATCH /api/sso: every field optional; `oidcClientSecret: null` removes the secret. */
export interface SsoSettingsPatch {
  oidcEnabled?: boolean;
  oidcIssuer?: string | null;
  oidcClientId?: string | null;
  oidcClientSecret?: string | null;
  oidcScopes?: string;
  oidcRoleClaim?: string | null;
  oidcRoleMapping?: Record<string, string> | null;
  oidcTeamMapping?: Record<string, string> | null;
  oidcDefaultRole?: string;
  ssoOnly?: boolean;
  accessEnabled?: boolean;
  accessTeamDomain?: string | null;
  accessAudience?: string | null;
}

/** GET /api/auth/providers (public): what the sign-in page offers. */
export interface SignInProviders {
  /** Password sign-in for everyone; false when the organisation is SSO-only. */
  password: boolean;
  /** SSO-only: the password form remains for admins (break-glass) only. */
  ssoOnly: boolean;
  /** "Sign in with <label>" starts at GET /api/auth/oidc/start?returnTo=<path>. */
  oidc: { enabled: boolean; label: string | null };
  /** Cloudflare Access signs people in by itself: any /api call carries its assertion. */
  access: boolean;
}

/** The `error` query parameter of /sign-in after a refused single sign-on. */
export type SsoErrorCode =
  | "sso_not_configured"
  | "invalid_return_to"
  | "invalid_state"
  | "idp_refused"
  | "idp_unavailable"
  | "token_exchange_failed"
  | "token_signature"
  | "token_algorithm"
  | "token_issuer"
  | "token_audience"
  | "token_expired"
  | "token_nonce"
  | "invalid_token"
  | "email_missing"
  | "email_unverified"
  | "account_conflict"
  | "account_deactivated";

/** One row of GET /api/audit: who changed what, when, from where; never a secret. */
export interface AuditEntryView {
  id: string;
  /** Epoch ms when the request arrived. */
  at: number;
  actor: {
    userId: string | null;
    email: string | null;
    /** session, token, password, oidc, access, invitation, system or anonymous. */
    via: string;
  };
  ip: string | null;
  userAgent: string | null;
  /** "<resource>.<verb>", e.g. "llmProxy.update", "auth.login_failed". */
  action: string;
  method: string | null;
  path: string | null;
  resourceType: string | null;
  resourceId: string | null;
  status: number;
  outcome: "success" | "denied" | "error";
  /** Redacted JSON snapshots of the resource before and after the change. */
  before: unknown;
  after: unknown;
  detail: string | null;
}

// ── MCP gateway ──────────────────────────────────────────────────────────────────────────

/** How the gateway authenticates to an upstream MCP server; secrets never come back. */
export type McpServerAuthView =
  | { kind: "none" }
  | { kind: "headers"; headerNames: string[] }
  | { kind: "bearer"; last4: string };

export interface McpToolView {
  /** The upstream's own tool name. */
  name: string;
  description: string | null;
  enabled: boolean;
}

/** GET /api/mcp-servers item. */
export interface McpServerView {
  id: string;
  /** Lowercase slug; the server's tools appear as `<name>__<tool>`. */
  name: string;
  description: string | null;
  url: string;
  auth: McpServerAuthView;
  timeoutMs: number;
  /** Tools seen at the last connection test, with their enabled switch. */
  tools: McpToolView[];
  lastTest: { at: number; ok: boolean; error: string | null } | null;
  gatewayIds: string[];
  createdAt: number;
  updatedAt: number;
}

/** POST /api/mcp-servers/:id/test and the `test` field of a create/update answer. */
export interface McpServerTestResult {
  ok: boolean;
  error: string | null;
  tools: McpToolView[];
  durationMs: number;
}

/** POST/PATCH /api/mcp-servers answer: the server and the connection test run on save. */
export interface McpServerSaved extends McpServerView {
  test: McpServerTestResult;
}

/** GET /api/mcp-gateways item. */
export interface McpGatewayView {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  serverIds: string[];
  /** Empty: open to everyone in the organisation. */
  teamIds: string[];
  /** `<public origin>/v1/mcp/<slug>` */
  url: string;
  /** Claude Desktop's name for it: `archestra-mcp-<slug>`. */
  connectorName: string;
  createdAt: number;
  updatedAt: number;
}

export type McpCallOutcome = "ok" | "tool_error" | "upstream_error" | "timeout" | "refused";

/** GET /api/logs/mcp item: one tools/call. */
export interface McpToolCallView {
  id: string;
  at: number;
  user: { id: string; email: string | null };
  client: { id: string | null; name: string | null };
  gateway: { id: string; slug: string };
  server: { id: string | null; name: string | null };
  /** The name the client called, `<server>__<tool>`. */
  tool: string;
  upstreamTool: string | null;
  durationMs: number;
  outcome: McpCallOutcome;
  error: string | null;
  requestBytes: number;
  responseBytes: number;
  /** Redacted; null unless the organisation keeps payloads. */
  arguments: unknown;
  result: unknown;
}

export interface McpToolCallPage extends ListOf<McpToolCallView> {
  /** Pass as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null;
}

/** What the consent screen shows (POST /api/oauth/consents). */
export interface OAuthConsentView {
  /** Single-use, ten minutes, this browser only; sent back with the decision. */
  handle: string;
  client: {
    id: string;
    name: string;
    /** Verified domain of a metadata-document client; null for a self-registered one. */
    domain: string | null;
    uri: string | null;
  };
  /** Where the authorization goes back to. */
  redirectHost: string;
  /** True when it goes to an app on this computer (a loopback redirect). */
  redirectIsLoopback: boolean;
  scopes: string[];
  gateway: { id: string; slug: string; name: string };
  /** False when the signed-in user may not use this gateway: only Deny is offered. */
  allowed: boolean;
  reason: string | null;
}

/** POST /api/oauth/consents/:handle answer: where the browser goes next. */
export interface OAuthConsentDecision {
  redirectTo: string;
}

/** GET /api/oauth/connections item: a client a user allowed to use a gateway. */
export interface McpConnectionView {
  /** The grant id; DELETE /api/oauth/connections/:userId/:id revokes it. */
  id: string;
  user: { id: string; email: string | null };
  client: { id: string; name: string | null };
  gateway: { slug: string | null; name: string | null };
  scopes: string[];
  createdAt: number;
  expiresAt: number | null;
}

// ── Telemetry ────────────────────────────────────────────────────────────────────────────

/** What a dead letter was: a log row, a tool call, or a message of an unknown shape. */
export type DeadLetterKind = "llm_request" | "mcp_tool_call" | "unknown";

/** GET /api/telemetry/dead-letters item: a telemetry message the gateway could not store. */
export interface DeadLetterView {
  /** The queue message's id. */
  id: string;
  kind: DeadLetterKind;
  /** The log row's or tool call's id, when the message had one. */
  rowId: string | null;
  /** Why it could not be stored, in words. */
  reason: string;
  /** Deliveries before it was kept here. */
  attempts: number;
  failedAt: number;
  /** One line: model, status and user of a request; tool and outcome of a tool call. */
  summary: string;
}

/** GET /api/telemetry/dead-letters/:id: the item with the message itself (never a secret). */
export interface DeadLetterDetail extends DeadLetterView {
  body: unknown;
}

export interface DeadLetterPage extends ListOf<DeadLetterView> {
  /** Pass as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null;
  /** How many dead letters are waiting in all, for a badge. */
  total: number;
}

/** POST /api/telemetry/dead-letters/:id/retry answer (202): the message is on the queue again. */
export interface DeadLettersRetried {
  retried: number;
}

/** POST /api/telemetry/dead-letter-retries answer (202). */
export interface AllDeadLettersRetried extends DeadLettersRetried {
  /** Dead letters left for another call, when this one reached its cap; usually 0. */
  remaining: number;
}

// ── Telemetry exporter (OTLP) ────────────────────────────────────────────────────────────

export type OtlpProtocolName = "http/json" | "http/protobuf";

/** Spans (traces) and data points (metrics). */
export interface OtlpItemCounts {
  spans: number;
  points: number;
}

/** What a collector last answered when an export failed (never a header value). */
export interface ExporterLastError {
  at: number;
  /** The collector's HTTP status; null when it could not be reached or did not answer in time. */
  status: number | null;
  /** An excerpt of its answer (at most 2 KB), or what went wrong, in words. */
  body: string;
  signal: "traces" | "metrics";
}

/** How exports have gone since the exporter was set up (kept by the organisation's outbox). */
export interface ExporterDeliveryView {
  exported: OtlpItemCounts;
  /** Refused by the collector (4xx), retried past the time bound, or pushed out of a full outbox. */
  dropped: OtlpItemCounts;
  /** Waiting in the outbox to be retried. */
  pending: OtlpItemCounts & { payloads: number };
  lastSuccessAt: number | null;
  lastError: ExporterLastError | null;
  /** When the outbox next retries, if it holds anything. */
  nextRetryAt: number | null;
}

/** The organisation's OTLP exporter: configuration (header names only) and delivery. */
export interface TelemetryExporterView {
  protocol: OtlpProtocolName;
  endpoint: string;
  /** Names of the headers sent with every export; their values are never returned. */
  headerNames: string[];
  samplingRatio: number;
  enabled: boolean;
  updatedAt: number;
  delivery: ExporterDeliveryView;
}

/** GET /api/telemetry/exporter (PUT answers the exporter itself). */
export interface TelemetryExporterAnswer {
  exporter: TelemetryExporterView | null;
}

/** POST /api/telemetry/exporter/test: what the collector answered a test span. */
export interface ExporterTestResult {
  /** The collector accepted it (2xx). */
  ok: boolean;
  status: number;
  /** An excerpt of its answer (at most 2 KB). */
  body: string;
  durationMs: number;
}

// ── Observability ────────────────────────────────────────────────────────────────────────

/**
 * How a proxied request ended, as the Observability page counts it: answered (`ok`); refused
 * by the provider for the client's mistake (`client_error`, a 4xx the provider sent); failed
 * upstream, cut or ended by an error event (`server_error`); refused by the gateway itself
 * before the provider answered (`refused`: a 4xx with no first byte from the provider, such as
 * a limit or a model the proxy does not allow); or abandoned by the client (`client_gone`).
 */
export type RequestOutcome = "ok" | "client_error" | "server_error" | "refused" | "client_gone";

/** The summary's time bucket sizes; chosen from the range when not given. */
export type ObservabilityBucket = "1m" | "5m" | "15m" | "1h" | "6h" | "1d";

/** Nearest-rank percentiles over `count` values; null when there were none. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  count: number;
}

/**
 * Latency of Messages requests the provider was asked (refused ones left out): time to first
 * byte, whole duration, the gateway's own added time, and output tokens per second (output
 * tokens over the streaming time after the first byte, or over the duration when not streamed).
 */
export interface RequestLatency {
  ttfbMs: Percentiles;
  durationMs: Percentiles;
  overheadMs: Percentiles;
  outputTokensPerSecond: Percentiles;
}

export interface RequestFigures extends RequestLatency {
  requests: Record<RequestOutcome, number>;
  total: number;
  /** Input including cache reads and writes. */
  inputTokens: number;
  outputTokens: number;
  /** Billed cost; unpriced requests count as 0 here. */
  costMicroUsd: number;
}

/** One time bucket of requests; `at` is its start (epoch ms, UTC-aligned). */
export interface RequestBucket extends RequestFigures {
  at: number;
}

export interface ToolCallFigures {
  calls: Record<McpCallOutcome, number>;
  total: number;
  durationMs: Percentiles;
}

export interface ToolCallBucket extends ToolCallFigures {
  at: number;
}

/**
 * Failed requests of one error type and outcome; a row without a type counts as `client_gone`
 * when the client went away, else as `http_<status>`.
 */
export interface ObservedError {
  errorType: string;
  outcome: RequestOutcome;
  count: number;
  lastAt: number;
}

/** One proxied request as the Observability page shows it (the LLM log's row, classified). */
export interface ObservedRequest {
  id: string;
  createdAt: number;
  endpoint: "messages" | "count_tokens" | "models";
  proxyId: string;
  userId: string | null;
  userEmail: string | null;
  agentId: string | null;
  model: string | null;
  billingMode: "metered" | "subscription";
  streamed: boolean;
  status: number;
  errorType: string | null;
  outcome: RequestOutcome;
  inputTokens: number;
  outputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  /** Null when the model had no price (`unpriced`). */
  costMicroUsd: number | null;
  unpriced: boolean;
  ttfbMs: number | null;
  durationMs: number;
  overheadMs: number | null;
  clientGone: boolean;
  conversationId: string | null;
  traceId: string | null;
  upstreamRequestId: string | null;
}

/**
 * GET /api/observability/summary: requests and tool calls over [from, to) in buckets. The
 * person filter narrows both; agent, model and proxy narrow requests; gateway narrows tool calls.
 */
export interface ObservabilitySummary {
  from: number;
  to: number;
  bucket: ObservabilityBucket;
  bucketMs: number;
  requests: { buckets: RequestBucket[]; totals: RequestFigures };
  /** Most frequent first, at most 50. */
  errors: ObservedError[];
  toolCalls: { buckets: ToolCallBucket[]; totals: ToolCallFigures };
  /** The newest requests in the range, at most 25. */
  recent: ObservedRequest[];
}

/** GET /api/observability/filters: what was seen in the range, for the page's filters. */
export interface ObservabilityFilterOptions {
  people: { id: string; email: string | null; name: string | null }[];
  agents: string[];
  models: string[];
  proxies: { id: string; name: string | null }[];
  gateways: { id: string; slug: string; name: string | null }[];
}

/** One bar of a trace's waterfall: an LLM request or an MCP tool call. */
export type TraceItem =
  | {
      kind: "llm_request";
      id: string;
      startedAt: number;
      durationMs: number;
      ttfbMs: number | null;
      overheadMs: number | null;
      outcome: RequestOutcome;
      status: number;
      errorType: string | null;
      model: string | null;
      userId: string | null;
      /** Input including cache reads and writes. */
      inputTokens: number;
      outputTokens: number;
      costMicroUsd: number | null;
    }
  | {
      kind: "tool_call";
      id: string;
      startedAt: number;
      durationMs: number;
      outcome: McpCallOutcome;
      error: string | null;
      /** The name the client called, `<server>__<tool>`. */
      tool: string;
      serverName: string | null;
      gatewaySlug: string;
      userId: string;
    };

export interface RequestTrace {
  /** What joins the items: the conversation id, else the trace id, else the request alone. */
  by: "conversation" | "trace" | "request";
  key: string | null;
  /** The window searched around the request (epoch ms). */
  windowFrom: number;
  windowTo: number;
  /** In time order; the 200 nearest the request when there were more (`truncated`). */
  items: TraceItem[];
  truncated: boolean;
}

/** GET /api/observability/requests/:id */
export interface ObservedRequestDetail {
  request: ObservedRequest;
  /** The captured prompt and completion (JSON text, redacted, capped); null when none was kept. */
  payload: { request: string | null; response: string | null } | null;
  /** Whether the organisation captures content now. */
  captureContent: boolean;
  trace: RequestTrace;
}
