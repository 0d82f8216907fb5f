// The audit log's one entry point. Anything that changes state through /api, and every refused
// sign-in or token, calls audit(); the entry is written off the response path and never holds
// a secret. (The durable write path and redaction are being built.)
import type { Context } from "hono";
import type { AppEnv } from "../app-env";

export type AuditOutcome = "success" | "denied" | "error";

export interface AuditEntry {
  /** "<resource>.<verb>", e.g. "llmProxy.update", "auth.oidc_refused". */
  action: string;
  resourceType?: string;
  resourceId?: string;
  status: number;
  outcome: AuditOutcome;
  /** Snapshots; secrets are removed before storing. */
  before?: unknown;
  after?: unknown;
  detail?: string;
  /** Who, when there is no signed-in caller on the context (a failed sign-in, SSO). */
  actor?: { userId?: string; email?: string; orgId?: string; via: string };
}

export function audit(_c: Context<AppEnv>, _entry: AuditEntry): void {
  // Filled in by the audit log work; callers can rely on this signature.
}
