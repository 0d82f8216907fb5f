// One error type for everything the gateway itself refuses, and one function that turns any
// thrown value into a response in Anthropic's error shape. Internal detail never reaches the
// wire: an unexpected error is logged (without secrets) and answered with a generic 500.
import type { ZodError } from "zod";

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "billing_error"
  | "permission_error"
  | "not_found_error"
  | "conflict_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

const TYPE_BY_STATUS: Record<number, ErrorType> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  409: "conflict_error",
  // A link (invitation, password reset) that was valid once: expired, used or revoked.
  410: "invalid_request_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  502: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

export interface FieldIssue {
  path: string;
  message: string;
}

export class GatewayError extends Error {
  readonly type: ErrorType;

  constructor(
    readonly status: number,
    message: string,
    readonly extra: { fields?: FieldIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.type = TYPE_BY_STATUS[status] ?? "api_error";
  }
}

export const badRequest = (message: string, fields?: FieldIssue[]) =>
  new GatewayError(400, message, fields ? { fields } : {});
export const unauthorized = (message: string) => new GatewayError(401, message);
export const forbidden = (message: string) => new GatewayError(403, message);
export const notFound = (message: string) => new GatewayError(404, message);
export const conflict = (message: string) => new GatewayError(409, message);
export const gone = (message: string) => new GatewayError(410, message);

export function fromZodError(error: ZodError, what: string): GatewayError {
  const fields = error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
  const first = fields[0];
  const summary = first ? `${first.path}: ${first.message}` : "invalid input";
  return badRequest(`Invalid ${what}: ${summary}`, fields);
}

export function errorBody(type: ErrorType, message: string, requestId: string, extra = {}) {
  return { type: "error", error: { type, message, ...extra }, request_id: requestId };
}

export function errorResponse(err: unknown, requestId: string): Response {
  const known =
    err instanceof GatewayError
      ? err
      : new GatewayError(500, "The gateway hit an internal error. It has been logged.");
  if (!(err instanceof GatewayError)) {
    // Message and stack only: request objects (and so secrets) are never logged here.
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    console.error(`[${requestId}] unhandled error: ${detail}`);
  }
  const extra = known.extra.fields ? { fields: known.extra.fields } : {};
  return Response.json(errorBody(known.type, known.message, requestId, extra), {
    status: known.status,
    headers: { "request-id": requestId, ...known.extra.headers },
  });
}
