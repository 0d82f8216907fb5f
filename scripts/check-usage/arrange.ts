// What `npm run check:usage` sets up through the admin API of a fresh local Gatehouse: the
// first admin, a provider key at the fake, a proxy, a cost budget and a token limit (so every
// request holds a reservation that must be released), and the Claude Desktop profile's keys.

export interface AdminSession {
  proxyId: string;
  /** The profile's headers: the standard key and the passthrough key. */
  headers: Record<string, string>;
  /** Log rows whose agent id starts with `prefix`, once `count` are there (or the time is up). */
  rowsUntil<T extends { agentId: string | null }>(
    prefix: string,
    count: number,
    timeoutMs: number,
  ): Promise<T[]>;
  /** What is still reserved across the organisation's limits. */
  holdsLeft(): Promise<{ reserved: number; limits: number; unreadable: number }>;
}

const ADMIN = {
  name: "Usage Check",
  email: "usage@check.test",
  password: "a long enough password",
};

export async function arrange(gateway: string, fakeUrl: string): Promise<AdminSession> {
  const setup = await fetch(`${gateway}/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ organisationName: "Usage check", ...ADMIN }),
  });
  if (setup.status !== 201) throw new Error(`setup: ${setup.status} ${await setup.text()}`);
  const cookie = setup.headers.get("set-cookie")?.split(";")[0] ?? "";
  const api = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${gateway}/api${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { cookie, origin: gateway, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const { user } = await api<{ user: { id: string } }>("/me");
  const key = await api<{ id: string }>("/provider-keys", {
    name: "Fake Anthropic",
    provider: "anthropic",
    secret: "sk-ant-api03-fake-provider-key-0123456789",
    baseUrl: fakeUrl,
  });
  const proxy = await api<{ id: string }>("/llm-proxies", { name: "Usage", providerKeyId: key.id });
  const limit = { scope: "user", scopeId: user.id, window: "month" };
  await api("/limits", { ...limit, name: "Budget", metric: "cost", amountUsd: 10_000 });
  await api("/limits", { ...limit, name: "Tokens", metric: "tokens", amount: 1_000_000_000_000 });
  const { profile } = await api<{
    profile: {
      inference: { customHeaders: Record<string, string>; credential: { apiKey: string } };
    };
  }>("/connection-setups/claude-desktop", { proxyId: proxy.id });
  const headers = {
    "x-api-key": profile.inference.credential.apiKey,
    "x-archestra-virtual-key": profile.inference.customHeaders["X-Archestra-Virtual-Key"] ?? "",
  };

  return {
    proxyId: proxy.id,
    headers,
    async rowsUntil<T extends { agentId: string | null }>(
      prefix: string,
      count: number,
      timeoutMs: number,
    ) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const rows: T[] = [];
        let cursor: string | null = null;
        do {
          const query: string = `/logs/llm?proxyId=${proxy.id}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
          const page: { data: T[]; nextCursor: string | null } = await api(query);
          rows.push(...page.data.filter((r) => r.agentId?.startsWith(prefix)));
          cursor = page.nextCursor;
        } while (cursor);
        if (rows.length >= count || Date.now() > deadline) return rows;
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    async holdsLeft() {
      const { data } = await api<{ data: { usage: { reserved: number } | null }[] }>("/limits");
      return {
        reserved: data.reduce((n, l) => n + (l.usage?.reserved ?? 0), 0),
        limits: data.length,
        unreadable: data.filter((l) => l.usage === null).length,
      };
    },
  };
}
