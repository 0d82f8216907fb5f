// Every attribute and metric name Gatehouse exports, in one place. Plain strings rather than
// imports from @opentelemetry/semantic-conventions keep the Worker bundle small; a unit test
// (attributes.test.ts) checks each conventions name against the package's constant.

/** Names from the OpenTelemetry semantic conventions (general, HTTP, GenAI, MCP). */
export const Semconv = {
  SERVICE_NAME: "service.name",
  SERVICE_VERSION: "service.version",
  HTTP_REQUEST_METHOD: "http.request.method",
  HTTP_ROUTE: "http.route",
  HTTP_RESPONSE_STATUS_CODE: "http.response.status_code",
  SERVER_ADDRESS: "server.address",
  SERVER_PORT: "server.port",
  ERROR_TYPE: "error.type",
  GEN_AI_OPERATION_NAME: "gen_ai.operation.name",
  GEN_AI_PROVIDER_NAME: "gen_ai.provider.name",
  GEN_AI_REQUEST_MODEL: "gen_ai.request.model",
  GEN_AI_REQUEST_MAX_TOKENS: "gen_ai.request.max_tokens",
  GEN_AI_REQUEST_STREAM: "gen_ai.request.stream",
  GEN_AI_RESPONSE_ID: "gen_ai.response.id",
  GEN_AI_RESPONSE_MODEL: "gen_ai.response.model",
  GEN_AI_RESPONSE_FINISH_REASONS: "gen_ai.response.finish_reasons",
  GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK: "gen_ai.response.time_to_first_chunk",
  GEN_AI_USAGE_INPUT_TOKENS: "gen_ai.usage.input_tokens",
  GEN_AI_USAGE_OUTPUT_TOKENS: "gen_ai.usage.output_tokens",
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: "gen_ai.usage.cache_read.input_tokens",
  GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: "gen_ai.usage.cache_creation.input_tokens",
  GEN_AI_CONVERSATION_ID: "gen_ai.conversation.id",
  GEN_AI_TOOL_NAME: "gen_ai.tool.name",
  GEN_AI_TOKEN_TYPE: "gen_ai.token.type",
  /** Opt-in content (only while the organisation captures it). */
  GEN_AI_INPUT_MESSAGES: "gen_ai.input.messages",
  GEN_AI_SYSTEM_INSTRUCTIONS: "gen_ai.system_instructions",
  GEN_AI_OUTPUT_MESSAGES: "gen_ai.output.messages",
  GEN_AI_TOOL_CALL_ARGUMENTS: "gen_ai.tool.call.arguments",
  GEN_AI_TOOL_CALL_RESULT: "gen_ai.tool.call.result",
  MCP_METHOD_NAME: "mcp.method.name",
  MCP_SESSION_ID: "mcp.session.id",
  MCP_PROTOCOL_VERSION: "mcp.protocol.version",
  JSONRPC_REQUEST_ID: "jsonrpc.request.id",
} as const;

/** Well-known values of conventions attributes. */
export const SemconvValue = {
  OPERATION_CHAT: "chat",
  OPERATION_EXECUTE_TOOL: "execute_tool",
  PROVIDER_ANTHROPIC: "anthropic",
  TOKEN_INPUT: "input",
  TOKEN_OUTPUT: "output",
  ERROR_TOOL: "tool_error",
} as const;

/** Gatehouse's own attributes (DESIGN.md, "Traces and metrics"). */
export const Gatehouse = {
  ORG_ID: "gatehouse.org.id",
  REQUEST_ID: "gatehouse.request.id",
  USER_ID: "gatehouse.user.id",
  TEAM_IDS: "gatehouse.team.ids",
  VIRTUAL_KEY_ID: "gatehouse.virtual_key.id",
  PASSTHROUGH_KEY_ID: "gatehouse.passthrough_key.id",
  AGENT_ID: "gatehouse.agent.id",
  PROXY_ID: "gatehouse.proxy.id",
  BILLING_MODE: "gatehouse.billing.mode",
  COST_USD: "gatehouse.cost.usd",
  USAGE_CACHE_CREATION_1H_INPUT_TOKENS: "gatehouse.usage.cache_creation_1h.input_tokens",
  LIMIT_DECISION: "gatehouse.limit.decision",
  CLIENT_GONE: "gatehouse.client_gone",
  OVERHEAD_MS: "gatehouse.overhead_ms",
  MCP_SERVER: "gatehouse.mcp.server",
  GATEWAY_SLUG: "gatehouse.gateway.slug",
  OAUTH_CLIENT_ID: "gatehouse.oauth.client.id",
  POLICY_DECISION: "gatehouse.policy.decision",
  REFUSAL_REASON: "gatehouse.refusal.reason",
  TEST: "gatehouse.test",
} as const;

/** Metric names: the conventions' where they have one, else Gatehouse's. */
export const MetricName = {
  GEN_AI_CLIENT_OPERATION_DURATION: "gen_ai.client.operation.duration",
  GEN_AI_CLIENT_TOKEN_USAGE: "gen_ai.client.token.usage",
  GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK: "gen_ai.client.operation.time_to_first_chunk",
  MCP_SERVER_OPERATION_DURATION: "mcp.server.operation.duration",
  OVERHEAD: "gatehouse.overhead",
  COST: "gatehouse.cost",
  REQUESTS_REFUSED: "gatehouse.requests.refused",
} as const;

export const SERVICE_NAME = "gatehouse";
export const SERVICE_VERSION = "0.1.0";
export const SCOPE = { name: "gatehouse", version: SERVICE_VERSION } as const;
