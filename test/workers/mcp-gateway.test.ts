// The MCP endpoint /v1/mcp/<slug> against two fake upstream MCP servers built with the SDK:
// sessions, aggregation as <server>__<tool>, routing, the JSON-RPC errors the spec names,
// token and permission checks on every call, and upstream faults that must not spread.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { rows } from "./api-helpers";
import { type Admin, admin, createUser } from "./helpers";
import {
  addGateway,
  addServer,
  answerOf,
  fakeLog,
  fakeTenant,
  initializeRequest,
  RawMcpClient,
} from "./mcp-helpers";
import { connectClient, MEMBER_PASSWORD, at as send, sessionCookie } from "./oauth-helpers";

let a: Admin;
let alpha: { id: string };
let beta: { id: string };
let token: string;
const SLUG = "main";

beforeAll(async () => {
  a = await admin();
  alpha = await addServer(a, "alpha", await fakeTenant("gw-alpha"));
  beta = await addServer(a, "beta", await fakeTenant("gw-beta", { tools: ["add", "sleep"] }), {
    timeoutMs: 1500,
  });
  await addGateway(a, SLUG, [alpha.id, beta.id]);
  token = (await connectClient(SLUG, { clientName: "Endpoint Tests" })).tokens.access_token;
});

async function session(slug = SLUG, t = token) {
  const client = new RawMcpClient(slug, t);
  await client.initialize();
  return client;
}

describe("a session through the gateway", () => {
  it("initializes with the client's protocol version and advertises tools, resources, prompts", async () => {
    for (const version of ["2025-03-26", "2025-06-18", "2025-11-25"]) {
      const client = new RawMcpClient(SLUG, token);
      const answer = await client.initialize(version);
      expect(answer.result?.protocolVersion).toBe(version);
      expect(answer.result?.capabilities).toMatchObject({
        tools: { listChanged: true },
        resources: {},
        prompts: {},
        logging: {},
      });
    }
    const odd = new RawMcpClient(SLUG, token);
    expect((await odd.initialize("1999-01-01")).result?.protocolVersion).toBe("2025-11-25");
  });

  it("merges both upstreams' tools as <server>__<tool> and routes each call", async () => {
    const client = await session();
    expect(await client.toolNames()).toEqual([
      "alpha__add",
      "alpha__echo",
      "alpha__fail",
      "alpha__sleep",
      "beta__add",
      "beta__sleep",
    ]);
    expect(await client.callText("alpha__echo", { text: "hi" })).toEqual({
      text: "gw-alpha echo: hi",
      isError: false,
    });
    expect(await client.callText("beta__add", { a: 2, b: 3 })).toEqual({
      text: "5",
      isError: false,
    });
    expect((await fakeLog("gw-beta")).some((e) => e.tool === "add")).toBe(true);
    const pong = await client.result("ping");
    expect(pong).toEqual({});
    // The client's log level goes on to every upstream; a level that is not one is refused.
    expect(await client.result("logging/setLevel", { level: "debug" })).toEqual({});
    for (const tenant of ["gw-alpha", "gw-beta"]) {
      expect((await fakeLog(tenant)).some((e) => e.rpcMethod === "logging/setLevel")).toBe(true);
    }
    expect((await client.request("logging/setLevel", { level: "loud" })).error?.code).toBe(-32602);
  });

  it("merges resources and prompts and routes reads and gets", async () => {
    const client = await session();
    const { resources } = (await client.result("resources/list")) as {
      resources: { uri: string; name: string }[];
    };
    expect(resources.map((r) => r.name).sort()).toEqual(["alpha__readme", "beta__readme"]);
    const read = (await client.result("resources/read", { uri: "fake://gw-beta/readme" })) as {
      contents: { text: string }[];
    };
    expect(read.contents[0]?.text).toBe("readme of gw-beta");
    const { prompts } = (await client.result("prompts/list")) as { prompts: { name: string }[] };
    expect(prompts.map((p) => p.name).sort()).toEqual(["alpha__greet", "beta__greet"]);
    const prompt = await client.result("prompts/get", {
      name: "alpha__greet",
      arguments: { name: "Ada" },
    });
    expect(JSON.stringify(prompt)).toContain("Hello Ada from gw-alpha");
    const missing = await client.request("resources/read", { uri: "fake://nowhere" });
    expect(missing.error?.code).toBe(-32002);
  });

  it("logs each tool call with the user, the client and the gateway", async () => {
    const client = await session();
    await client.callText("alpha__echo", { text: "logged" });
    await client.callText("alpha__fail");
    await new Promise((r) => setTimeout(r, 100));
    const logged = await rows<{
      user_id: string;
      client_name: string;
      gateway_slug: string;
      server_name: string;
      upstream_tool: string;
      outcome: string;
      arguments: string | null;
      request_bytes: number;
      response_bytes: number;
    }>("SELECT * FROM mcp_tool_calls WHERE tool IN ('alpha__echo', 'alpha__fail') ORDER BY at");
    const echo = logged.find((r) => r.upstream_tool === "echo");
    expect(echo).toMatchObject({
      user_id: a.userId,
      client_name: "Endpoint Tests",
      gateway_slug: SLUG,
      server_name: "alpha",
      outcome: "ok",
      arguments: null,
    });
    expect(echo?.request_bytes).toBeGreaterThan(0);
    expect(echo?.response_bytes).toBeGreaterThan(0);
    expect(logged.find((r) => r.upstream_tool === "fail")?.outcome).toBe("tool_error");
  });

  it("keeps redacted arguments and results when the organisation asks for them", async () => {
    await a.json("/organisation", { method: "PATCH", body: { mcpLogPayloads: true } });
    const client = await session();
    await client.callText("alpha__echo", { text: "sk-ant-api03-secretsecretsecret" });
    await new Promise((r) => setTimeout(r, 100));
    await a.json("/organisation", { method: "PATCH", body: { mcpLogPayloads: false } });
    const [row] = await rows<{ arguments: string; result: string }>(
      "SELECT arguments, result FROM mcp_tool_calls WHERE arguments IS NOT NULL",
    );
    expect(row?.arguments).toContain("[redacted]");
    expect(row?.arguments).not.toContain("secretsecret");
    expect(row?.result).toContain("gw-alpha echo");
  });

  it("keeps them while the organisation captures content, whatever the MCP log setting", async () => {
    await a.json("/organisation", { method: "PATCH", body: { captureContent: true } });
    const client = await session();
    await client.callText("alpha__echo", { text: "captured-words-7731" });
    await a.json("/organisation", { method: "PATCH", body: { captureContent: false } });
    const row = await vi.waitFor(
      async () => {
        const [found] = await rows<{ arguments: string; result: string }>(
          "SELECT arguments, result FROM mcp_tool_calls WHERE arguments LIKE '%captured-words-7731%'",
        );
        if (!found) throw new Error("no captured tool call yet");
        return found;
      },
      { timeout: 10_000, interval: 25 },
    );
    expect(row.result).toContain("captured-words-7731");
  });

  it("ends a session on DELETE; the id then gets 404", async () => {
    const client = await session();
    const del = await send(`/v1/mcp/${client.slug}`, {
      method: "DELETE",
      headers: client.headers(),
    });
    expect(del.status).toBe(204);
    const after = await client.post({ jsonrpc: "2.0", id: 9, method: "tools/list" });
    expect(after.status).toBe(404);
  });
});

describe("session expiry", () => {
  it("ends an idle session from its alarm; the client then gets 404 and starts again", async () => {
    const client = await session();
    const id = client.sessionId ?? "";
    const stub = env.MCP_SESSION.get(env.MCP_SESSION.idFromName(id));
    await runInDurableObject(stub, async (_instance, state) => {
      const meta = await state.storage.get<{ lastSeenAt: number }>("meta");
      if (!meta) throw new Error("no session stored");
      // Last used two hours ago (sessions end after an hour idle).
      await state.storage.put("meta", { ...meta, lastSeenAt: Date.now() - 2 * 3_600_000 });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await client.post({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect(after.status).toBe(404);
    expect((await session()).sessionId).not.toBe(id);
  });
});

describe("refusals", () => {
  it("asks for a token, naming this gateway's resource metadata", async () => {
    const res = await new RawMcpClient(SLUG, null).post({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {},
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain(
      'resource_metadata="http://localhost/.well-known/oauth-protected-resource/v1/mcp/main"',
    );
  });

  it("refuses a token issued for another gateway", async () => {
    await addGateway(a, "other", [alpha.id]);
    const other = (await connectClient("other")).tokens.access_token;
    const res = await new RawMcpClient(SLUG, other).post(initializeRequest());
    expect(res.status).toBe(401);
    // …and the same token works where it belongs.
    expect((await session("other", other)).sessionId).toBeTruthy();
  });

  it("answers unknown and missing sessions as the spec says", async () => {
    const client = new RawMcpClient(SLUG, token);
    const missing = await client.post({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect(missing.status).toBe(400);
    client.sessionId = "unknownunknownunknownunknown";
    const unknown = await client.post({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect(unknown.status).toBe(404);
  });

  it("answers malformed JSON, unknown methods and unknown tools with JSON-RPC errors", async () => {
    const client = await session();
    const garbage = await client.post("{not json");
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const invalid = await client.post({ jsonrpc: "1.0", id: 3, method: 5 });
    expect(((await invalid.json()) as { error: { code: number } }).error.code).toBe(-32600);
    expect((await client.request("no/such/method")).error?.code).toBe(-32601);
    expect((await client.request("tools/call", { name: "alpha__nope" })).error?.code).toBe(-32602);
    expect((await client.request("tools/call", {})).error?.code).toBe(-32602);
    const version = await client.post(
      { jsonrpc: "2.0", id: 4, method: "ping" },
      { "mcp-protocol-version": "1999-01-01" },
    );
    expect(version.status).toBe(400);
  });

  it("refuses another site's Origin", async () => {
    const client = await session();
    const res = await client.post(
      { jsonrpc: "2.0", id: 1, method: "ping" },
      { origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
  });

  it("hides a switched-off tool and refuses its call", async () => {
    const client = await session();
    const off = await a.api(`/mcp-servers/${alpha.id}/tools/sleep`, {
      method: "PATCH",
      body: { enabled: false },
    });
    expect(off.status).toBe(200);
    expect(await client.toolNames()).not.toContain("alpha__sleep");
    const refused = await client.request("tools/call", {
      name: "alpha__sleep",
      arguments: { ms: 1 },
    });
    expect(refused.error?.code).toBe(-32602);
    expect(refused.error?.message).toMatch(/switched off/);
    await a.api(`/mcp-servers/${alpha.id}/tools/sleep`, {
      method: "PATCH",
      body: { enabled: true },
    });
    expect(await client.toolNames()).toContain("alpha__sleep");
  });

  it("refuses a member removed from the gateway's team at their next call", async () => {
    const member = await createUser(a, "mia@acme.test");
    const team = await a.json<{ id: string }>("/teams", { body: { name: "Tools team" } });
    await a.json(`/teams/${team.id}/members`, { body: { userId: member.id } });
    await addGateway(a, "team-only", [alpha.id], [team.id]);
    const memberSession = await sessionCookie("mia@acme.test", MEMBER_PASSWORD);
    const memberToken = (await connectClient("team-only", { session: memberSession })).tokens
      .access_token;
    const client = await session("team-only", memberToken);
    expect((await client.callText("alpha__echo", { text: "in" })).text).toContain("in");
    const removed = await a.api(`/teams/${team.id}/members/${member.id}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    const next = await client.post({
      jsonrpc: "2.0",
      id: 77,
      method: "tools/call",
      params: { name: "alpha__echo", arguments: { text: "out" } },
    });
    expect(next.status).toBe(403);
  });
});

describe("upstream faults stay with their upstream", () => {
  it("a dead upstream's tools vanish and its calls fail as tool errors; the other keeps working", async () => {
    const client = await session();
    expect(await client.toolNames()).toContain("beta__add");
    await fakeTenant("gw-beta", { tools: ["add", "sleep"], fault: "down" });
    const dead = await client.callText("beta__add", { a: 1, b: 1 });
    expect(dead.isError).toBe(true);
    expect(dead.text).toMatch(/beta/);
    expect((await client.callText("alpha__echo", { text: "still" })).text).toBe(
      "gw-alpha echo: still",
    );
    const fresh = await session();
    const names = await fresh.toolNames();
    expect(names).toContain("alpha__echo");
    expect(names).not.toContain("beta__add");
    await fakeTenant("gw-beta", { tools: ["add", "sleep"] });
  });

  it("a hanging call times out as a tool error and the session survives", async () => {
    const client = await session();
    const slow = await client.callText("beta__sleep", { ms: 5000 });
    expect(slow.isError).toBe(true);
    expect(slow.text).toMatch(/1500 ms/);
    expect((await client.callText("alpha__echo", { text: "after" })).isError).toBe(false);
  });

  it("garbage and a dropped stream from an upstream are clear tool errors", async () => {
    const client = await session();
    await client.toolNames();
    await fakeTenant("gw-beta", { tools: ["add", "sleep"], fault: "drop-sse" });
    const dropped = await client.callText("beta__add", { a: 1, b: 2 });
    expect(dropped.isError).toBe(true);
    await fakeTenant("gw-beta", { tools: ["add", "sleep"], fault: "garbage" });
    const garbage = await client.callText("beta__add", { a: 1, b: 2 });
    expect(garbage.isError).toBe(true);
    expect(garbage.text).toMatch(/beta/);
    await fakeTenant("gw-beta", { tools: ["add", "sleep"] });
    expect((await client.callText("beta__add", { a: 1, b: 2 })).text).toBe("3");
  });

  it("passes an upstream's tools/list_changed to the client's SSE stream", async () => {
    await fakeTenant("gw-changing");
    const changing = await addServer(a, "changing", `${env.FAKE_MCP_URL}/t/gw-changing/mcp`);
    await addGateway(a, "changing", [changing.id]);
    const t = (await connectClient("changing")).tokens.access_token;
    const client = await session("changing", t);
    expect(await client.toolNames()).toContain("changing__echo");
    const stream = await send("/v1/mcp/changing", {
      method: "GET",
      headers: { ...client.headers(), accept: "text/event-stream" },
    });
    expect(stream.status).toBe(200);
    const reader = stream.body?.getReader();
    if (!reader) throw new Error("no stream");
    // Give the gateway a moment to open its own stream to the upstream, then change tools.
    await new Promise((r) => setTimeout(r, 300));
    await fakeTenant("gw-changing", { tools: ["echo"], extraTools: [{ name: "fresh" }] });
    let seen = "";
    const decoder = new TextDecoder();
    const deadline = Date.now() + 5000;
    while (!seen.includes("notifications/tools/list_changed") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value);
    }
    await reader.cancel();
    expect(seen).toContain("notifications/tools/list_changed");
    expect(await client.toolNames()).toEqual(["changing__echo", "changing__fresh"]);
  });
});

describe("answers", () => {
  it("pages a long tool list with the gateway's own cursor", async () => {
    const extraTools = Array.from({ length: 120 }, (_, i) => ({ name: `tool_${i}` }));
    const many = await addServer(a, "many", await fakeTenant("gw-many", { tools: [], extraTools }));
    await addGateway(a, "many", [many.id]);
    const client = await session("many", (await connectClient("many")).tokens.access_token);
    const first = (await client.result("tools/list")) as { tools: unknown[]; nextCursor?: string };
    expect(first.tools).toHaveLength(100);
    expect(first.nextCursor).toBeTruthy();
    const second = (await client.result("tools/list", { cursor: first.nextCursor })) as {
      tools: { name: string }[];
      nextCursor?: string;
    };
    expect(second.tools).toHaveLength(20);
    expect(second.nextCursor).toBeUndefined();
    const bad = await client.request("tools/list", { cursor: "not-ours" });
    expect(bad.error?.code).toBe(-32602);
  });

  it("streams a tool call as SSE when the client accepts it, JSON otherwise", async () => {
    const client = await session();
    const sse = await client.post({
      jsonrpc: "2.0",
      id: 5,
      method: "tools/call",
      params: { name: "alpha__add", arguments: { a: 1, b: 1 } },
    });
    expect(sse.headers.get("content-type")).toContain("text/event-stream");
    expect((await answerOf(sse)).result?.content).toEqual([{ type: "text", text: "2" }]);
    const json = await client.post(
      {
        jsonrpc: "2.0",
        id: 6,
        method: "tools/call",
        params: { name: "alpha__add", arguments: { a: 2, b: 2 } },
      },
      { accept: "application/json" },
    );
    expect(json.headers.get("content-type")).toContain("application/json");
    expect((await answerOf(json)).result?.content).toEqual([{ type: "text", text: "4" }]);
  });
});
