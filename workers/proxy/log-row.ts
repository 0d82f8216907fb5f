// Builds the one log row each proxied request leaves behind.
import type { LlmRequestRow } from "../../d1/schema";
import type { Charge } from "../../shared/limit-ledger";
import { costMicroUsd, findModelPrice } from "../../shared/pricing";
import type { Usage } from "../../shared/usage";
import type { OrgLimits } from "../limits/config-cache";
import { priceFor } from "../limits/plan";
import type { Admission } from "./admission";

export type Endpoint = LlmRequestRow["endpoint"];

export interface RequestFacts {
  requestId: string;
  startedAt: number;
  endpoint: Endpoint;
  agentId: string | null;
  /** The model the client asked for; the response's model wins when there is one. */
  model: string | null;
  streamed: boolean;
  /** The W3C trace id of the request's spans. */
  traceId: string;
  /** `gen_ai.conversation.id`, when the request carried one. */
  conversationId?: string | undefined;
  /**
   * Time the gateway itself added, once a response came from upstream: before the upstream
   * call, and between the upstream's response headers and the client's.
   */
  overheadMs?: number | undefined;
}

export interface ResultFacts {
  status: number;
  errorType?: string | undefined;
  usage?: Usage | undefined;
  model?: string | undefined;
  ttfbMs?: number | undefined;
  endedAt: number;
  clientGone?: boolean;
  upstreamRequestId?: string | null;
  messageId?: string | undefined;
  stopReason?: string | undefined;
}

const AGENT_ID_MAX = 128;

function hasTokens(u: Usage): boolean {
  return (
    u.inputTokens +
      u.outputTokens +
      u.cacheWrite5mTokens +
      u.cacheWrite1hTokens +
      u.cacheReadTokens >
    0
  );
}

export function logRow(
  admission: Admission,
  req: RequestFacts,
  res: ResultFacts,
  org?: OrgLimits,
): LlmRequestRow {
  const model = res.model ?? req.model;
  const usage = res.usage;
  const price = !model ? undefined : org ? priceFor(model, org) : findModelPrice(model);
  // Nothing metered costs nothing; metered tokens of an unknown model stay unpriced (NULL).
  const listCost = !usage || !hasTokens(usage) ? 0 : price ? costMicroUsd(usage, price) : null;
  return {
    id: req.requestId,
    orgId: admission.orgId,
    createdAt: req.startedAt,
    proxyId: admission.proxy.id,
    endpoint: req.endpoint,
    userId: admission.userId,
    virtualKeyId: admission.standardKey?.id ?? null,
    passthroughKeyId: admission.passthroughKey?.id ?? null,
    credential: admission.credential,
    billingMode: admission.billingMode,
    agentId: req.agentId?.slice(0, AGENT_ID_MAX) ?? null,
    model,
    streamed: req.streamed,
    status: res.status,
    errorType: res.errorType ?? null,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cacheWrite5mTokens: usage?.cacheWrite5mTokens ?? 0,
    cacheWrite1hTokens: usage?.cacheWrite1hTokens ?? 0,
    cacheReadTokens: usage?.cacheReadTokens ?? 0,
    // A subscription is billed nothing here; its list-price estimate is kept apart.
    costMicroUsd: admission.billingMode === "subscription" ? 0 : listCost,
    listCostMicroUsd: listCost,
    ttfbMs: res.ttfbMs ?? null,
    durationMs: Math.max(0, res.endedAt - req.startedAt),
    clientGone: res.clientGone ?? false,
    upstreamRequestId: res.upstreamRequestId ?? null,
    conversationId: req.conversationId ?? null,
    traceId: req.traceId,
    // A request that never got an upstream response spent all its time in the gateway.
    overheadMs: req.overheadMs ?? Math.max(0, res.endedAt - req.startedAt),
  };
}

/** What a finished request really used, in the units limits count. */
export function actualCharge(row: LlmRequestRow): Charge {
  return {
    cost: row.costMicroUsd ?? 0,
    tokens:
      row.inputTokens +
      row.outputTokens +
      row.cacheWrite5mTokens +
      row.cacheWrite1hTokens +
      row.cacheReadTokens,
    requests: 1,
  };
}
