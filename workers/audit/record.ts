// The audit log's one entry point. Anything that changes state through /api, and every refused
// sign-in or token, calls audit(); the entry is written off the response path (waitUntil, with
// a durable fallback: see store.ts) and never holds a secret (see redact.ts).
//
// Every /api mutation already gets exactly one entry of its own from route.ts (mutation.ts).
// Inside such a request, audit() does not add a second entry: it describes that one (its
// action, actor, resource, detail), so "one entry per change" holds however handlers use it.
// Outside one (a GET such as an OIDC callback, or no route at all) it writes its own entry.
import type { Context } from "hono";
import type { AuditRow } from "../../durable-objects/audit-spool";
import { newId } from "../../shared/ids";
import type { SessionUser } from "../api/auth/session";
import type { AppEnv } from "../app-env";
import { redact, scrubText } from "./redact";
import { saveAuditRows } from "./store";

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

/** What a mutation's own entry is made of, gathered while the request runs. */
export interface RequestAudit {
  at: number;
  method: string;
  path: string;
  action: string;
  resourceType: string | undefined;
  resourceId: string | undefined;
  before?: unknown;
  /** What handlers said through audit() during the request. */
  described: Partial<Omit<AuditEntry, "status" | "outcome">>;
}

const requests = new WeakMap<object, RequestAudit>();

export function openRequestAudit(c: Context<AppEnv>, audit: RequestAudit): void {
  requests.set(c, audit);
}

export function requestAudit(c: Context<AppEnv>): RequestAudit | undefined {
  return requests.get(c);
}

export function audit(c: Context<AppEnv>, entry: AuditEntry): void {
  const open = requests.get(c);
  if (open) {
    const { status: _status, outcome: _outcome, detail, ...rest } = entry;
    const described = open.described;
    Object.assign(
      described,
      Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    );
    if (detail) described.detail = described.detail ? `${described.detail}; ${detail}` : detail;
    return;
  }
  const row = auditRow(c, {
    ...entry,
    at: Date.now(),
    method: c.req.method,
    path: c.req.path,
  });
  c.executionCtx.waitUntil(saveAuditRows(c.env, [row]));
}

export function outcomeOf(status: number): AuditOutcome {
  if (status >= 500) return "error";
  if (status >= 400) return "denied";
  return "success";
}

const MAX_SNAPSHOT_CHARS = 32_000;
const MAX_DETAIL_CHARS = 1_000;
const MAX_USER_AGENT_CHARS = 256;

/** A snapshot as stored: redacted, and replaced by a marker when it is too large to keep. */
function snapshot(value: unknown): unknown {
  if (value === undefined) return null;
  const clean = redact(value);
  const size = JSON.stringify(clean)?.length ?? 0;
  return size > MAX_SNAPSHOT_CHARS ? { truncated: true, chars: size } : clean;
}

/** The row for an entry, with who, from where and when taken from the request. */
export function auditRow(
  c: Context<AppEnv>,
  entry: AuditEntry & { at: number; method: string; path: string },
): AuditRow {
  // Hono answers undefined for a variable no middleware set (a public route).
  const user = c.get("user") as SessionUser | undefined;
  const actor = user
    ? { userId: user.id, email: user.email, orgId: user.orgId, via: user.via }
    : (entry.actor ?? { via: "anonymous" });
  return {
    id: newId("aud"),
    orgId: actor.orgId ?? null,
    at: entry.at,
    actorUserId: actor.userId ?? null,
    actorEmail: actor.email ?? null,
    actorVia: actor.via,
    ip: c.req.header("cf-connecting-ip") ?? null,
    userAgent: c.req.header("user-agent")?.slice(0, MAX_USER_AGENT_CHARS) ?? null,
    action: entry.action,
    method: entry.method,
    path: scrubText(entry.path),
    resourceType: entry.resourceType ?? null,
    resourceId: entry.resourceId === undefined ? null : scrubText(entry.resourceId),
    status: entry.status,
    outcome: entry.outcome,
    before: snapshot(entry.before),
    after: snapshot(entry.after),
    detail: entry.detail ? scrubText(entry.detail).slice(0, MAX_DETAIL_CHARS) : null,
  };
}
