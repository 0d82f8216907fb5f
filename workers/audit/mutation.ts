// The automatic audit entry of every /api mutation (POST, PATCH, DELETE), public routes and
// refused requests included: route.ts puts this middleware in front of the route's own chain,
// so a request refused by sign-in or permission checks is recorded like one that succeeded.
// Only the entry's facts are taken on the response path; reading the response body and the
// write itself happen after it (waitUntil).
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { auditRow, openRequestAudit, outcomeOf, type RequestAudit, requestAudit } from "./record";
import { isSecretKey, REDACTED } from "./redact";
import { saveAuditRows } from "./store";

/** How a route names its changes in the log; both parts are derived when left out. */
export interface AuditNaming {
  /** e.g. "llmProxy". Default: the first path segment, camel-cased and singular. */
  resource?: string;
  /** The verb, e.g. "create" (stored as "llmProxy.create"). Default: from method and path. */
  action?: string;
}

const VERBS: Record<string, string> = { post: "create", patch: "update", delete: "delete" };

const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());

function singular(word: string): string {
  if (word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us")) return word.slice(0, -1);
  return word;
}

/**
 * "POST /llm-proxies" → llmProxy.create, "PATCH /users/:id" → user.update,
 * "POST /virtual-keys/:id/reveal" → virtualKey.reveal, "POST /auth/login" → auth.login,
 * "DELETE /teams/:id/members/:userId" → team.members.delete.
 */
export function deriveNaming(
  method: string,
  path: string,
  naming: AuditNaming = {},
): { action: string; resourceType: string } {
  const segments = path.split("/").filter(Boolean);
  const resource = naming.resource ?? singular(camel(segments[0] ?? "api"));
  if (naming.action) return { action: `${resource}.${naming.action}`, resourceType: resource };
  const verb = VERBS[method] ?? method;
  const literals = segments.slice(1).filter((s) => !s.startsWith(":"));
  const lastIsLiteral = !segments.at(-1)?.startsWith(":");
  let action: string;
  if (literals.length === 0) action = verb;
  else if (method === "post" && lastIsLiteral) action = camel(literals.join("-"));
  else action = `${camel(literals.join("-"))}.${verb}`;
  return { action: `${resource}.${action}`, resourceType: resource };
}

/** The path as logged: values of path parameters named like secrets (":token") hidden. */
function loggedPath(c: Context<AppEnv>, params: Record<string, string>): string {
  let path = c.req.path;
  for (const [name, value] of Object.entries(params)) {
    if (isSecretKey(name) && value) path = path.split(value).join(REDACTED);
  }
  return path;
}

function resourceIdOf(params: Record<string, string>): string | undefined {
  if (params.id) return params.id;
  const named = Object.entries(params).find(([name]) => !isSecretKey(name));
  return named?.[1];
}

export function auditMutation(
  method: string,
  path: string,
  naming?: AuditNaming,
): MiddlewareHandler<AppEnv> {
  const derived = deriveNaming(method, path, naming);
  return async function auditedMutation(c, next) {
    const params = c.req.param() as Record<string, string>;
    const entry: RequestAudit = {
      at: Date.now(),
      method: c.req.method,
      path: loggedPath(c, params),
      action: derived.action,
      resourceType: derived.resourceType,
      resourceId: resourceIdOf(params),
      described: {},
    };
    openRequestAudit(c, entry);
    let status = 500;
    let body: string | undefined;
    try {
      await next();
      // The app's error handler has already turned a thrown error into c.res by now.
      status = c.res.status;
      body = await takeJsonBody(c);
    } finally {
      finish(c, entry, status, body);
    }
  };
}

/**
 * The response's JSON text, with c.res rebuilt around it. An API answer is a small string
 * already in memory, so this costs next to nothing; a tee'd clone would not do, because in
 * workerd one branch of a tee waits for the other, and a client that never reads its answer
 * (or has gone) would leave the entry unwritten.
 */
async function takeJsonBody(c: Context<AppEnv>): Promise<string | undefined> {
  const res = c.res;
  if (!res.body || !res.headers.get("content-type")?.includes("application/json")) return;
  const text = await res.text();
  c.res = new Response(text, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
  return text;
}

/** The state a PATCH or DELETE is about to change, for the entry's `before`. */
export function recordBefore(c: Context<AppEnv>, before: unknown): void {
  const entry = requestAudit(c);
  if (entry) entry.before = before;
}

function finish(c: Context<AppEnv>, entry: RequestAudit, status: number, body?: string) {
  const described = entry.described;
  const write = async () => {
    const parsed = body === undefined ? undefined : parseJson(body);
    const ok = status < 400;
    const returnedId =
      ok && isRecord(parsed) && typeof parsed.id === "string" ? parsed.id : undefined;
    const error = !ok && isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
    const row = auditRow(c, {
      at: entry.at,
      method: entry.method,
      path: entry.path,
      action: described.action ?? entry.action,
      resourceType: described.resourceType ?? entry.resourceType,
      resourceId: described.resourceId ?? entry.resourceId ?? returnedId,
      status,
      outcome: outcomeOf(status),
      before: described.before ?? entry.before,
      after: described.after ?? (ok ? parsed : undefined),
      detail: described.detail ?? (typeof error?.message === "string" ? error.message : undefined),
      actor: described.actor,
    });
    await saveAuditRows(c.env, [row]);
  };
  c.executionCtx.waitUntil(
    write().catch((err: unknown) => {
      console.error(`audit: could not build the entry for ${entry.method} ${entry.path}: ${err}`);
    }),
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
