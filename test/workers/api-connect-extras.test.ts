// What the dashboard needs beyond the profile: settings for Claude Code and other Anthropic
// clients from the same two Connection keys, one's own sessions, and whether setup needs the
// token.
import { describe, expect, it } from "vitest";
import { expectApiError } from "./api-helpers";
import { admin, call, createUser, fakeRequests, ORIGIN, proxyWithKey, resetFake } from "./helpers";

interface Credentials {
  proxyId: string;
  baseUrl: string;
  apiKey: string;
  headers: Record<string, string>;
}

describe("POST /api/connection-setups/credentials", () => {
  it("gives Claude Code the profile's keys with its own agent id, and they work", async () => {
    const a = await admin();
    const { proxyId } = await proxyWithKey(a);
    const member = await createUser(a, "cody@acme.test");
    const code = await member.json<Credentials>("/connection-setups/credentials", {
      body: { proxyId, client: "claude-code" },
    });
    expect(code.baseUrl).toBe(`${ORIGIN}/v1/anthropic/${proxyId}`);
    expect(code.headers["X-Archestra-Agent-Id"]).toBe("anthropic_claude_code");
    const { profile } = await member.json<{
      profile: {
        inference: { credential: { apiKey: string }; customHeaders: Record<string, string> };
      };
    }>("/connection-setups/claude-desktop", { body: { proxyId } });
    // The same two keys as the Claude Desktop profile: one pair per person and proxy.
    expect(code.apiKey).toBe(profile.inference.credential.apiKey);
    expect(code.headers["X-Archestra-Virtual-Key"]).toBe(
      profile.inference.customHeaders["X-Archestra-Virtual-Key"],
    );

    await resetFake();
    const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${code.apiKey}`,
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
        ...code.headers,
      },
      body: JSON.stringify({
        model: "claude-haiku-4-5",
        max_tokens: 1,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const [upstream] = await fakeRequests();
    // The provider sees its real key, never the virtual one.
    expect(upstream?.headers["x-api-key"]).toMatch(/^sk-ant-api03-/);
  });

  it("is not cached and refuses an unknown client name with the field named", async () => {
    const a = await admin();
    const res = await a.api("/connection-setups/credentials", { body: { client: "cursor" } });
    const body = await expectApiError(res, 400, "invalid_request_error");
    expect(body.error.fields?.[0]?.path).toBe("client");
    const ok = await a.api("/connection-setups/credentials", {
      body: { client: "anthropic-client" },
    });
    expect(ok.headers.get("cache-control")).toBe("no-store");
    expect(((await ok.json()) as Credentials).headers["X-Archestra-Agent-Id"]).toBe(
      "anthropic_client",
    );
  });
});

describe("/api/sessions", () => {
  async function login(email: string, password: string, agent: string) {
    const res = await call("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": agent },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status).toBe(200);
    return res.headers.get("set-cookie")?.split(";")[0] ?? "";
  }

  it("lists one's own sessions with the current one marked, and ends another one", async () => {
    const a = await admin();
    await createUser(a, "sam@acme.test");
    const laptop = await login("sam@acme.test", "member password 123", "Laptop Chrome");
    const phone = await login("sam@acme.test", "member password 123", "Phone Safari");
    const list = async (cookie: string) =>
      (
        (await (await call("/api/sessions", { headers: { cookie } })).json()) as {
          data: { id: string; userAgent: string | null; current: boolean }[];
        }
      ).data;
    const seen = await list(laptop);
    expect(seen.filter((s) => s.current).map((s) => s.userAgent)).toEqual(["Laptop Chrome"]);
    const phoneSession = seen.find((s) => s.userAgent === "Phone Safari");
    expect(phoneSession).toBeDefined();
    // Someone else's session is not yours to end.
    const adminDelete = await a.api(`/sessions/${phoneSession?.id}`, { method: "DELETE" });
    await expectApiError(adminDelete, 404, "not_found_error");

    const end = await call(`/api/sessions/${phoneSession?.id}`, {
      method: "DELETE",
      headers: { cookie: laptop, origin: ORIGIN },
    });
    expect(end.status).toBe(204);
    expect((await call("/api/me", { headers: { cookie: phone } })).status).toBe(401);
    expect((await call("/api/me", { headers: { cookie: laptop } })).status).toBe(200);
  });
});

describe("GET /api/setup", () => {
  it("says a setup token is required outside development", async () => {
    const res = await call("/api/setup");
    expect(await res.json()).toMatchObject({ tokenRequired: true });
  });
});
