// Shared pieces of the admin API tests: the error shape every refusal must have, sign-in with
// a cookie, and direct reads of D1 for what the API must never expose.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { call, ORIGIN } from "./helpers";

export interface ApiErrorBody {
  type: "error";
  error: { type: string; message: string; fields?: { path: string; message: string }[] };
  request_id: string;
}

/**
 * Asserts the response is the gateway's JSON error shape with this status (and, if given, this
 * type and a message matching `message`); never HTML and never a stack trace.
 */
export async function expectApiError(
  res: Response,
  status: number,
  type?: string,
  message?: RegExp,
): Promise<ApiErrorBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(text).not.toMatch(/<html|<!doctype/i);
  expect(text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
  const body = JSON.parse(text) as ApiErrorBody;
  expect(Object.keys(body).sort()).toEqual(["error", "request_id", "type"]);
  expect(body.type).toBe("error");
  expect(typeof body.error.type).toBe("string");
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.request_id).toMatch(/^req_/);
  expect(res.headers.get("request-id")).toBe(body.request_id);
  if (type) expect(body.error.type).toBe(type);
  if (message) expect(body.error.message).toMatch(message);
  return body;
}

/** A 400 whose message or field list names `field`. */
export async function expectFieldError(res: Response, field: string): Promise<ApiErrorBody> {
  const body = await expectApiError(res, 400, "invalid_request_error");
  const paths = (body.error.fields ?? []).map((f) => f.path);
  expect(
    body.error.message.includes(field) || paths.some((p) => p.split(".").includes(field)),
    `400 should name "${field}": ${JSON.stringify(body.error)}`,
  ).toBe(true);
  return body;
}

export function jsonPost(path: string, body: unknown, headers: Record<string, string> = {}) {
  return call(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Signs in with email and password; returns the raw Set-Cookie header and the cookie pair. */
export async function signIn(email: string, password: string) {
  const res = await jsonPost("/api/auth/login", { email, password });
  expect(res.status, await res.clone().text()).toBe(200);
  const setCookie = res.headers.get("set-cookie") ?? "";
  return { res, setCookie, cookie: setCookie.split(";")[0] ?? "" };
}

/** A cookie-authenticated call, as the dashboard makes it (Origin optional, to test refusals). */
export function withCookie(
  path: string,
  cookie: string,
  init: { method?: string; body?: unknown; origin?: string | null } = {},
) {
  const origin = init.origin === undefined ? ORIGIN : init.origin;
  return call(path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      cookie,
      ...(origin === null ? {} : { origin }),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

export async function rows<T = Record<string, unknown>>(
  query: string,
  ...binds: unknown[]
): Promise<T[]> {
  const { results } = await env.DB.prepare(query)
    .bind(...binds)
    .all<T>();
  return results;
}

/** Every value of every row of every table, for "this secret is stored nowhere" checks. */
export async function wholeDatabaseText(): Promise<string> {
  const tables = await rows<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
  );
  expect(tables.map((t) => t.name)).toContain("virtual_keys");
  const dumps = await Promise.all(tables.map((t) => rows(`SELECT * FROM "${t.name}"`)));
  return JSON.stringify(dumps);
}

/**
 * A second organisation with a user and a provider key, written straight into D1 (the API can
 * only ever make one organisation): used to check that ids from elsewhere are refused.
 */
export async function otherOrganisation() {
  const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const ids = {
    orgId: `org_other${suffix}`,
    userId: `usr_other${suffix}`,
    providerKeyId: `pk_other${suffix}`,
  };
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare("INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)").bind(
      ids.orgId,
      "Elsewhere",
      now,
    ),
    env.DB.prepare(
      "INSERT INTO users (id, org_id, email, name, role, status, created_at) VALUES (?, ?, ?, ?, 'admin', 'active', ?)",
    ).bind(ids.userId, ids.orgId, `boss-${suffix}@elsewhere.test`, "Boss", now),
    env.DB.prepare(
      "INSERT INTO provider_keys (id, org_id, name, provider, secret_ciphertext, secret_last4, created_by, created_at) VALUES (?, ?, 'Theirs', 'anthropic', 'not-a-real-ciphertext', 'XXXX', ?, ?)",
    ).bind(ids.providerKeyId, ids.orgId, ids.userId, now),
  ]);
  return ids;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
