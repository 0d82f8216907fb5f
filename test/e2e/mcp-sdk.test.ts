// The official MCP SDK client, with its OAuth client provider, against the running gateway
// (`npm start`): discovery from the 401, dynamic registration, PKCE, consent, token, tools of
// two fake upstream MCP servers (SDK-built) listed and called, a token refresh, the MCP log
// attributing each call to the user, an upstream killed mid-session, and the consent screen
// passed in real Chromium.
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { McpGatewayView, McpServerSaved, McpToolCallPage } from "../../shared/api-types";
import { type FakeMcpUpstream, startFakeMcpUpstream } from "../fakes/mcp-upstream";
import { ADMIN, type Api, adminApi } from "./admin-api";
import { launchBrowser, newPage, screenshot } from "./browser";
import { callbackServer, MemoryOAuthProvider } from "./mcp-oauth-client";
import { connectSdkClient } from "./mcp-sdk-connect";
import { HOOK_MS, TEST_MS, WAIT_MS } from "./waits";

const gateway = inject("gatewayUrl");
const fakeMcp = inject("e2eFakeMcpUrl");
const SLUG = "sdk-tools";

let api: Api;
let adminId: string;
let callback: Awaited<ReturnType<typeof callbackServer>>;
let doomed: FakeMcpUpstream;

async function addServer(name: string, url: string): Promise<McpServerSaved> {
  const saved = await api<McpServerSaved>("/mcp-servers", { name, url, auth: { kind: "none" } });
  expect(saved.test.ok, saved.test.error ?? "").toBe(true);
  return saved;
}

beforeAll(async () => {
  ({ api, userId: adminId } = await adminApi(gateway));
  callback = await callbackServer();
  doomed = await startFakeMcpUpstream();
  const one = await addServer("one", `${fakeMcp}/t/sdk-one/mcp`);
  const two = await addServer("two", `${fakeMcp}/t/sdk-two/mcp`);
  const three = await addServer("doomed", doomed.endpoint("sdk-doomed"));
  // Limited to a team of the admin alone: the other journeys' members share this gateway
  // process and must not be offered it on Connect.
  const team = await api<{ id: string }>("/teams", { name: "SDK e2e" });
  await api(`/teams/${team.id}/members`, { userId: adminId });
  await api<McpGatewayView>("/mcp-gateways", {
    slug: SLUG,
    name: "SDK tools",
    serverIds: [one.id, two.id, three.id],
    teamIds: [team.id],
  });
}, HOOK_MS);

afterAll(async () => {
  await callback?.close();
  await doomed?.close().catch(() => undefined);
}, HOOK_MS);

/** Connects the SDK client, running the whole OAuth flow the first time. */
function connect(provider: MemoryOAuthProvider): Promise<Client> {
  return connectSdkClient(gateway, SLUG, provider, callback);
}

function text(result: Awaited<ReturnType<Client["callTool"]>>): string {
  const content = result.content as { type: string; text?: string }[];
  return content.map((c) => c.text ?? "").join("");
}

describe("the MCP SDK client through the gateway", { timeout: TEST_MS }, () => {
  it("authorizes with OAuth, lists and calls tools of two upstreams, refreshes, and is logged", async () => {
    const provider = new MemoryOAuthProvider(callback.url);
    const client = await connect(provider);
    const url = provider.authorizationUrl;
    expect(url?.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url?.searchParams.get("resource")).toBe(`${gateway}/v1/mcp/${SLUG}`);
    // The SDK asks for what the 401 challenge names, and the grant holds what was consented.
    expect(url?.searchParams.get("scope")?.split(" ").sort()).toEqual(["mcp", "offline_access"]);
    expect(provider.client?.client_id).toBeTruthy();
    expect(provider.stored?.scope?.split(" ").sort()).toEqual(["mcp", "offline_access"]);
    expect(provider.stored?.refresh_token).toBeTruthy();

    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["one__echo", "two__add", "doomed__echo"]));
    expect(names.every((n) => n.length <= 64)).toBe(true);
    expect(text(await client.callTool({ name: "one__echo", arguments: { text: "hello" } }))).toBe(
      "sdk-one echo: hello",
    );
    expect(text(await client.callTool({ name: "two__add", arguments: { a: 20, b: 22 } }))).toBe(
      "42",
    );

    // The access token stops working (as when it expires): the SDK refreshes and carries on.
    const before = provider.stored;
    if (!before) throw new Error("no tokens");
    provider.stored = { ...before, access_token: "expired-or-revoked" };
    const refreshedCall = await client.callTool({ name: "two__add", arguments: { a: 1, b: 1 } });
    expect(text(refreshedCall)).toBe("2");
    const after = provider.stored;
    expect(after?.access_token).not.toBe(before.access_token);
    expect(after?.access_token).not.toBe("expired-or-revoked");
    expect(after?.refresh_token).toBeTruthy();
    expect(after?.refresh_token).not.toBe(before.refresh_token);
    expect(after?.scope?.split(" ").sort()).toEqual(["mcp", "offline_access"]);

    // Rows leave through the telemetry queue, whose batches wait a few seconds to fill.
    const row = await vi.waitFor(
      async () => {
        const page = await api<McpToolCallPage>(`/logs/mcp?tool=one__echo`);
        const found = page.data.find((r) => r.gateway.slug === SLUG);
        if (!found) throw new Error("no MCP log row for one__echo yet");
        return found;
      },
      { timeout: WAIT_MS, interval: 250 },
    );
    expect(row).toMatchObject({
      user: { id: adminId, email: ADMIN.email },
      client: { name: "Claude Desktop (e2e)" },
      server: { name: "one" },
      upstreamTool: "echo",
      outcome: "ok",
    });
    await vi.waitFor(
      async () => {
        const adds = await api<McpToolCallPage>(`/logs/mcp?tool=two__add`);
        expect(adds.data.filter((r) => r.user.id === adminId).length).toBeGreaterThanOrEqual(2);
      },
      { timeout: WAIT_MS, interval: 250 },
    );
    await client.close();
  });

  it("keeps the other upstreams' tools working when one is killed mid-session", async () => {
    const provider = new MemoryOAuthProvider(callback.url, "Kill test");
    const client = await connect(provider);
    expect(text(await client.callTool({ name: "doomed__echo", arguments: { text: "x" } }))).toBe(
      "sdk-doomed echo: x",
    );
    await doomed.close();
    const dead = await client.callTool({ name: "doomed__echo", arguments: { text: "y" } });
    expect(dead.isError).toBe(true);
    expect(text(dead)).toMatch(/doomed/);
    expect(text(await client.callTool({ name: "one__echo", arguments: { text: "alive" } }))).toBe(
      "sdk-one echo: alive",
    );
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("two__add");
    await client.close();
  });

  it("passes the consent screen in Chromium, then works with the token it got", async () => {
    const browser = await launchBrowser();
    try {
      const provider = new MemoryOAuthProvider(callback.url, "Claude Desktop (browser)");
      const url = new URL(`${gateway}/v1/mcp/${SLUG}`);
      await expect(
        new Client({ name: "e2e", version: "1.0.0" }).connect(
          new StreamableHTTPClientTransport(url, { authProvider: provider }),
        ),
      ).rejects.toBeInstanceOf(UnauthorizedError);
      const authorizationUrl = provider.authorizationUrl;
      if (!authorizationUrl) throw new Error("the SDK did not start authorization");

      // What Claude Desktop does: open the system browser at the authorization URL.
      const page = await newPage(browser);
      await page.goto(authorizationUrl.toString());
      await page.getByLabel("Email").fill(ADMIN.email);
      await page.getByLabel("Password").fill(ADMIN.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page
        .getByRole("heading", { level: 1, name: "Claude Desktop (browser) wants to use SDK tools" })
        .waitFor();
      await screenshot(page, "mcp-sdk-consent");
      await page.getByRole("button", { name: "Allow" }).click();
      // The browser lands on the app's loopback callback with the code.
      const code = await callback.nextCode();
      await page.getByText("Connected. You can close this window.").waitFor();

      await new StreamableHTTPClientTransport(url, { authProvider: provider }).finishAuth(code);
      const client = new Client({ name: "e2e", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
      expect(
        text(await client.callTool({ name: "one__echo", arguments: { text: "browser" } })),
      ).toBe("sdk-one echo: browser");
      await client.close();
    } finally {
      await browser.close();
    }
  });
});
