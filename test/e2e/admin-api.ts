// The admin API as the dashboard uses it (session cookie + same-origin Origin), for arranging
// what a test needs. Every e2e file shares one gateway, so the first admin is made once and
// signed in to afterwards.
import { expect } from "vitest";

export const ADMIN = {
  email: "ada@e2e.test",
  password: "a long enough password",
  name: "Ada Admin",
};

export type Api = <T = unknown>(path: string, body?: unknown, method?: string) => Promise<T>;

export async function signIn(gateway: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${gateway}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: gateway },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status, `sign in as ${email}`).toBe(200);
  return res.headers.get("set-cookie")?.split(";")[0] ?? "";
}

export function apiWith(gateway: string, cookie: string): Api {
  return async <T>(path: string, body?: unknown, method?: string) => {
    const res = await fetch(`${gateway}/api${path}`, {
      method: method ?? (body === undefined ? "GET" : "POST"),
      headers: { cookie, origin: gateway, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method ?? "call"} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** Creates the organisation and first admin if nobody has yet, then signs in as that admin. */
export async function adminApi(gateway: string): Promise<{ api: Api; userId: string }> {
  const setup = await fetch(`${gateway}/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ organisationName: "E2E", ...ADMIN }),
  });
  expect([201, 409]).toContain(setup.status);
  const api = apiWith(gateway, await signIn(gateway, ADMIN.email, ADMIN.password));
  const { user } = await api<{ user: { id: string } }>("/me");
  return { api, userId: user.id };
}

/** An Anthropic provider key pointing at the fake upstream, and a proxy using it. */
export async function providerAndProxy(api: Api, fakeUrl: string, name: string) {
  const key = await api<{ id: string }>("/provider-keys", {
    name: `${name} key`,
    provider: "anthropic",
    secret: "sk-ant-api03-fake-provider-key-0123456789",
    baseUrl: fakeUrl,
  });
  const proxy = await api<{ id: string; baseUrl: string }>("/llm-proxies", {
    name,
    providerKeyId: key.id,
  });
  return { providerKeyId: key.id, proxy };
}
