// Sorting a POSTed body's messages: requests to answer, notifications and responses to accept
// (202), malformed ones to answer with Invalid Request, and an initialize to start a session.
import {
  INVALID_REQUEST,
  RpcIdSchema,
  type RpcRequest,
  RpcRequestSchema,
  rpcError,
} from "./json-rpc";

export interface Sorted {
  requests: RpcRequest[];
  /** Error answers for messages that are not JSON-RPC. */
  invalid: ReturnType<typeof rpcError>[];
  initialize: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function classify(messages: unknown[]): Sorted {
  const out: Sorted = { requests: [], invalid: [], initialize: undefined };
  if (messages.length === 0) {
    out.invalid.push(
      rpcError(null, { code: INVALID_REQUEST, message: "Invalid Request: empty batch." }),
    );
    return out;
  }
  for (const message of messages) {
    if (isObject(message) && message.method === "initialize") {
      out.initialize = message;
      continue;
    }
    const request = RpcRequestSchema.safeParse(message);
    if (request.success) {
      out.requests.push(request.data);
      continue;
    }
    const valid =
      isObject(message) &&
      message.jsonrpc === "2.0" &&
      // A notification (method, no id) or a response to something the gateway asked.
      ((typeof message.method === "string" && !("id" in message)) ||
        ("id" in message && ("result" in message || "error" in message)));
    if (valid) continue;
    const id = isObject(message) ? RpcIdSchema.safeParse(message.id) : undefined;
    out.invalid.push(
      rpcError(id?.success ? id.data : null, {
        code: INVALID_REQUEST,
        message: "Invalid Request: not a JSON-RPC 2.0 request, notification or response.",
      }),
    );
  }
  return out;
}
