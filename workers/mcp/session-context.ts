// What the MCP endpoint hands the session Durable Object with every request: who is calling,
// through which client, and the gateway's current configuration (credentials decrypted). It
// is rebuilt per request, so switches an admin flips apply to the next call.
import type { TraceContext } from "../telemetry/trace-context";

export interface UpstreamServer {
  id: string;
  name: string;
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Changes when the server's URL or credentials change: its upstream session starts over. */
  version: number;
}

export interface SessionContext {
  sessionId: string;
  userId: string;
  orgId: string;
  clientId: string;
  clientName: string | null;
  gatewayId: string;
  gatewaySlug: string;
  gatewayName: string;
  servers: UpstreamServer[];
  /** `<serverId>\n<tool>` of every tool switched off (see gateway-cache.ts disabledKey). */
  disabledTools: string[];
  logPayloads: boolean;
  /** This request's trace: the client's `traceparent` (header or `params._meta`), else new. */
  trace?: TraceContext;
  /** `gen_ai.conversation.id` (X-Archestra-Session-Id), when the client sent one. */
  conversationId?: string;
  /** The protocol version the session negotiated, for the spans. */
  protocolVersion?: string;
}
