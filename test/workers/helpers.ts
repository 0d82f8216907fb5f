// Drives the Worker the way an admin and a client would: through its HTTP surface only.
import { env, SELF } from "cloudflare:test";

export const ORIGIN = "http://gateway.test";
export const SETUP_TOKEN = "test-setup-token";
export const FAKE_PROVIDER_KEY = "sk-ant-api03-fake-provider-key-0123456789";
export const FAKE_SUBSCRIPTION_TOKEN = "sk-ant-oat01-fake-subscription-token-0123456789";

export function call(path: string, init: RequestInit = {}) {
  return SELF.fetch(`${ORIGIN}${path}`, init);
}

export interface Admin {
  token: string;
  userId: string;
  orgId: string;
  api: (path: string, init?: { method?: string; body?: unknown }) => Promise<Response>;
  json: <T = Record<string, unknown>>(
    path: string,
    init?: { method?: string; body?: unknown },
  ) => Promise<T>;
}

export function apiClient(token: string) {
  const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
    call(`/api${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const json = async <T>(path: string, init?: { method?: string; body?: unknown }) => {
    const res = await api(path, init);
    if (!res.ok)
      throw new Error(`${init?.method ?? "GET"} ${path} → ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return { api, json };
}

let setupDone: Promise<Admin> | undefined;

/** The first admin of the (per test file) fresh database, with a personal API token. */
export function admin(): Promise<Admin> {
  setupDone ??= (async () => {
    const res = await call("/api/setup", {
      method: "POST",
      headers: { "content-type": "application/json", "x-setup-token": SETUP_TOKEN },
      body: JSON.stringify({
        organisationName: "Acme",
        name: "Ada Admin",
        email: "ada@acme.test",
        password: "correct horse battery",
      }),
    });
    if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
    const cookie = res.headers.get("set-cookie")?.split(";")[0] ?? "";
    const { user } = (await res.json()) as { user: { id: string; organisationId: string } };
    const tokenRes = await call("/api/tokens", {
      method: "POST",
      headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ name: "tests" }),
    });
    const { token } = (await tokenRes.json()) as { token: string };
    return { token, userId: user.id, orgId: user.organisationId, ...apiClient(token) };
  })();
  return setupDone;
}

/** A provider key pointing at the fake upstream, and a proxy using it. */
export async function proxyWithKey(a: Admin, proxy: Record<string, unknown> = {}) {
  const pk = await a.json<{ id: string }>("/provider-keys", {
    body: {
      name: "Fake Anthropic",
      provider: "anthropic",
      secret: FAKE_PROVIDER_KEY,
      baseUrl: env.FAKE_ANTHROPIC_URL,
    },
  });
  const created = await a.json<{ id: string; baseUrl: string }>("/llm-proxies", {
    body: { name: "Main", providerKeyId: pk.id, ...proxy },
  });
  return { providerKeyId: pk.id, proxyId: created.id, baseUrl: created.baseUrl };
}

export async function createUser(a: Admin, email: string, role = "member") {
  const user = await a.json<{ id: string }>("/users", {
    body: { email, name: email.split("@")[0], role, password: "member password 123" },
  });
  const login = await call("/api/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "member password 123" }),
  });
  const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
  const tokenRes = await call("/api/tokens", {
    method: "POST",
    headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
    body: JSON.stringify({ name: "tests" }),
  });
  const { token } = (await tokenRes.json()) as { token: string };
  return { id: user.id, token, ...apiClient(token) };
}

export interface Profile {
  inference: {
    baseUrl: string;
    customHeaders: Record<string, string>;
    credential: { apiKey: string };
  };
}

/** The caller's Claude Desktop profile, as the Connect page downloads it. */
export async function profileFor(client: ReturnType<typeof apiClient>, proxyId: string) {
  const res = await client.json<{ profile: Profile; fileName: string; content: string }>(
    "/connection-setups/claude-desktop",
    { body: { proxyId } },
  );
  return res;
}

export function fakeRequests(): Promise<
  {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: string;
    aborted: boolean;
  }[]
> {
  return fetch(`${env.FAKE_ANTHROPIC_URL}/_fake/requests`).then((r) => r.json());
}

export async function resetFake() {
  await fetch(`${env.FAKE_ANTHROPIC_URL}/_fake/requests`, { method: "DELETE" });
}

/** What Claude Desktop sends after importing the caller's profile for this proxy. */
export async function profileHeaders(client: ReturnType<typeof apiClient>, proxyId: string) {
  const { profile } = await profileFor(client, proxyId);
  const standardKey = profile.inference.credential.apiKey;
  const passthroughKey = profile.inference.customHeaders["X-Archestra-Virtual-Key"] ?? "";
  const headers: Record<string, string> = {
    "anthropic-version": "2023-06-01",
    "content-type": "application/json",
    "x-api-key": standardKey,
    ...profile.inference.customHeaders,
  };
  return { headers, standardKey, passthroughKey };
}
