// JSON-RPC 2.0 as MCP uses it: message shapes, the error codes the spec names, and small
// builders. Shared by the gateway's server side (what clients call) and its upstream client.
import { z } from "zod";

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

export type RpcId = string | number;

export const RpcIdSchema = z.union([z.string(), z.number().int()]);

const Params = z.record(z.string(), z.unknown());

export const RpcRequestSchema = z.object({
  jsonrpc: z.literal("2.0"),
  id: RpcIdSchema,
  method: z.string().min(1),
  params: Params.optional(),
});

export const RpcNotificationSchema = z.object({
  jsonrpc: z.literal("2.0"),
  method: z.string().min(1),
  params: Params.optional(),
});

export const RpcResponseSchema = z.union([
  z.object({
    jsonrpc: z.literal("2.0"),
    id: RpcIdSchema,
    result: z.record(z.string(), z.unknown()),
  }),
  z.object({
    jsonrpc: z.literal("2.0"),
    id: RpcIdSchema.nullable(),
    error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }),
  }),
]);

export type RpcRequest = z.infer<typeof RpcRequestSchema>;
export type RpcNotification = z.infer<typeof RpcNotificationSchema>;
export type RpcResponse = z.infer<typeof RpcResponseSchema>;
export type RpcResult = Record<string, unknown>;

export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

export function rpcResult(id: RpcId, result: RpcResult) {
  return { jsonrpc: "2.0" as const, id, result };
}

export function rpcError(id: RpcId | null, error: RpcErrorBody) {
  return { jsonrpc: "2.0" as const, id, error };
}

export function rpcNotification(method: string, params?: Record<string, unknown>) {
  return { jsonrpc: "2.0" as const, method, ...(params && { params }) };
}

/** A JSON-RPC error the gateway answers with, thrown from method handlers. */
export class RpcFault extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }

  body(): RpcErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.data !== undefined && { data: this.data }),
    };
  }
}

export const invalidParams = (message: string) => new RpcFault(INVALID_PARAMS, message);
