// The MCP pages in Chromium: an admin adds an upstream MCP server (its tools are listed) and
// switches one tool off, adds a second server whose connection test fails (the error is
// shown), creates a gateway with the first, and connects Claude Desktop with it (the profile
// gains the gateway's managed connector, Claude Code gets its `claude mcp add` line). The MCP
// logs page shows its empty state. An app connects through the consent screen on a phone-sized
// browser (sign-in first, then back to the same request; Allow; the code reaches the app), and
// the person sees and disconnects it under Connected apps. The consent screen shows the
// Worker's error, and every new page fits a 390 px screen.
//
// The gateway is limited to a team only the admin is in, so the other journeys sharing this
// gateway (members connecting) still see no MCP gateway on their Connect page.
import { createHash, randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { ADMIN, type Api, adminApi, providerAndProxy } from "./admin-api";
import {
  horizontalOverflow,
  launchBrowser,
  NARROW,
  newPage,
  screenshot,
  signInThroughPage,
} from "./browser";
import { HOOK_MS, TEST_MS, WAIT_MS } from "./waits";

const gateway = inject("gatewayUrl");
const fakeUrl = inject("e2eFakeAnthropicUrl");
const mcpUrl = inject("e2eFakeMcpUrl");
const RUN = Date.now().toString(36);
const GOOD = { name: `tools-${RUN}`, tenant: `dash-good-${RUN}` };
const BROKEN = { name: `broken-${RUN}`, tenant: `dash-broken-${RUN}` };
const SLUG = `dash-${RUN}`;
const TEAM = `MCP journey ${RUN}`;

interface ServerRow {
  id: string;
  name: string;
  tools: { name: string; enabled: boolean }[];
}
interface GatewayRow {
  id: string;
  slug: string;
  url: string;
  serverIds: string[];
  teamIds: string[];
}

let api: Api;
let browser: Browser;
let teamId: string;

async function configureFake(tenant: string, config: unknown) {
  const res = await fetch(`${mcpUrl}/t/${tenant}/_fake/config`, {
    method: "PUT",
    body: JSON.stringify(config),
  });
  expect(res.status, `configure fake MCP tenant ${tenant}`).toBe(200);
}

async function servers(): Promise<ServerRow[]> {
  return (await api<{ data: ServerRow[] }>("/mcp-servers")).data;
}

beforeAll(async () => {
  let userId: string;
  ({ api, userId } = await adminApi(gateway));
  await providerAndProxy(api, fakeUrl, `MCP journey ${RUN}`);
  ({ id: teamId } = await api<{ id: string }>("/teams", { name: TEAM, description: "MCP e2e" }));
  await api(`/teams/${teamId}/members`, { userId });
  await configureFake(GOOD.tenant, { tools: ["echo", "add"] });
  await configureFake(BROKEN.tenant, { requireBearer: "the-right-token" });
  browser = await launchBrowser();
}, HOOK_MS);

afterAll(async () => {
  await browser?.close();
}, HOOK_MS);

async function openNav(page: Page, name: string) {
  await page.goto(`${gateway}/connect`);
  await page.locator("main#main").waitFor();
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
}

async function addServer(page: Page, fields: { name: string; tenant: string; token?: string }) {
  await page.getByRole("button", { name: "Add server" }).first().click();
  const form = page.getByRole("dialog");
  await form.getByLabel("Name").fill(fields.name);
  await form.getByLabel("URL").fill(`${mcpUrl}/t/${fields.tenant}/mcp`);
  if (fields.token) {
    await form.getByLabel("Authentication").selectOption("bearer");
    await form.getByLabel("Token").fill(fields.token);
  }
  await form.getByRole("button", { name: "Add and test" }).click();
  await form.waitFor({ state: "hidden" });
}

describe("MCP dashboard", { timeout: TEST_MS }, () => {
  it("adds servers, switches a tool off, makes a gateway and connects Claude Desktop with it", async () => {
    const page = await newPage(browser);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);

    // A working server: the connection test runs on save and lists its tools.
    await openNav(page, "MCP servers");
    await addServer(page, GOOD);
    await page.getByText(`Connection test passed for ${GOOD.name}`).waitFor();
    const card = page.getByRole("region", { name: GOOD.name, exact: true });
    await card.getByRole("switch", { name: "echo enabled" }).waitFor();
    await card.getByText(`${GOOD.name}__add`).waitFor();

    // One tool switched off, on the page and in the API.
    const addSwitch = card.getByRole("switch", { name: "add enabled" });
    expect(await addSwitch.isChecked()).toBe(true);
    await addSwitch.click();
    await vi.waitFor(async () => expect(await addSwitch.isChecked()).toBe(false), {
      timeout: WAIT_MS,
      interval: 250,
    });
    await vi.waitFor(
      async () => {
        const good = (await servers()).find((s) => s.name === GOOD.name);
        expect(good?.tools.find((t) => t.name === "add")?.enabled).toBe(false);
        expect(good?.tools.find((t) => t.name === "echo")?.enabled).toBe(true);
      },
      { timeout: WAIT_MS, interval: 250 },
    );

    // A server that refuses the token: saved, and the failure said plainly.
    await addServer(page, { ...BROKEN, token: "a-wrong-token" });
    const failed = page.getByText(`Connection test failed for ${BROKEN.name}`);
    await failed.waitFor();
    const brokenCard = page.getByRole("region", { name: BROKEN.name, exact: true });
    await brokenCard.getByText("Failed", { exact: true }).waitFor();
    await screenshot(page, "mcp-servers");
    // The token never comes back: only its last four characters.
    expect(await page.content()).not.toContain("a-wrong-token");
    await brokenCard.getByText("Bearer token ••••oken").waitFor();

    // A gateway with the working server, for the team the admin is in.
    await openNav(page, "MCP gateways");
    await page.getByRole("button", { name: "Create gateway" }).first().click();
    const form = page.getByRole("dialog");
    await form.getByLabel("Slug").fill(SLUG);
    await form.getByLabel("Name", { exact: true }).fill(`Journey tools ${RUN}`);
    await form.getByRole("checkbox", { name: new RegExp(`^${GOOD.name}\\b`) }).check();
    await form.getByRole("checkbox", { name: TEAM }).check();
    await form.getByRole("button", { name: "Create gateway" }).click();
    await form.waitFor({ state: "hidden" });
    const gatewayCard = page.getByRole("region", { name: `Journey tools ${RUN}` });
    await gatewayCard.getByText(`archestra-mcp-${SLUG}`).waitFor();
    await page.getByRole("heading", { name: "MCP connections" }).waitFor();
    await screenshot(page, "mcp-gateways");
    const made = (await api<{ data: GatewayRow[] }>("/mcp-gateways")).data.find(
      (g) => g.slug === SLUG,
    );
    const good = (await servers()).find((s) => s.name === GOOD.name);
    expect(made?.serverIds).toEqual([good?.id]);
    expect(made?.teamIds).toHaveLength(1);
    await gatewayCard.getByText(made?.url ?? "?").waitFor();

    // Deleting the team would open the gateway to everyone: the dialog names it (cancelled).
    await page.goto(`${gateway}/teams`);
    await page.getByRole("button", { name: `Delete team ${TEAM}` }).click();
    const confirm = page.getByRole("dialog");
    await confirm.getByText(/This MCP gateway is restricted only to this team/).waitFor();
    await confirm.getByText(`Journey tools ${RUN}`, { exact: true }).waitFor();
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "hidden" });

    // Connect: choose the gateway; the previewed profile carries its managed connector.
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Connect" }).click();
    await page.getByRole("button", { name: "Claude Desktop", exact: true }).click();
    const choice = page.getByLabel("MCP gateway");
    await choice.selectOption(made?.id ?? "?");
    const proxySelect = page.getByLabel("LLM proxy");
    if ((await proxySelect.count()) > 0)
      await proxySelect.selectOption({ label: `MCP journey ${RUN}` });
    await page.getByRole("button", { name: "Preview configuration" }).click();
    const preview = page.getByRole("region", { name: "Configuration preview" });
    await preview.getByText(`"name": "archestra-mcp-${SLUG}"`).waitFor();
    const shown = JSON.parse((await preview.locator("pre").textContent()) ?? "{}") as {
      mcp?: { managedServers: { name: string; url: string }[] };
    };
    expect(shown.mcp?.managedServers).toEqual([
      expect.objectContaining({ name: `archestra-mcp-${SLUG}`, url: made?.url }),
    ]);
    await page.getByText(`archestra-mcp-${SLUG}`, { exact: true }).last().waitFor();
    await screenshot(page, "connect-mcp-gateway");

    // Claude Code: the command that adds the gateway's tools.
    await page.getByRole("button", { name: "Claude Code", exact: true }).click();
    await page
      .getByText(`claude mcp add --transport http archestra-mcp-${SLUG} ${made?.url}`)
      .first()
      .waitFor();

    // None again: inference only, no connector.
    await page.getByRole("button", { name: "Claude Desktop", exact: true }).click();
    await choice.selectOption({ label: "None (inference only)" });
    await preview.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Preview configuration" }).click();
    const plain = JSON.parse((await preview.locator("pre").textContent()) ?? "{}") as {
      mcp?: unknown;
    };
    expect(plain.mcp).toBeUndefined();

    // MCP logs: nothing has been called through this gateway.
    await openNav(page, "MCP logs");
    await page.getByLabel("Gateway", { exact: true }).selectOption(made?.id ?? "?");
    await page.getByText("No tool calls match these filters").waitFor();
    await screenshot(page, "mcp-logs");

    // Settings has the payload switch, in the organisation's current state.
    const org = await api<{ mcpLogPayloads: boolean }>("/organisation");
    await page.goto(`${gateway}/settings`);
    await page.getByRole("heading", { name: "Organisation settings" }).waitFor();
    const keep = page.getByLabel("Keep MCP tool-call arguments and results (secrets redacted)");
    expect(await keep.isChecked()).toBe(org.mcpLogPayloads);

    // The profile lists connected apps.
    await page.goto(`${gateway}/profile`);
    await page.getByRole("heading", { name: "Connected apps" }).waitFor();
    await page.context().close();
  });

  it("connects an app through the consent screen, and the person disconnects it", async () => {
    const slug = `consent-${RUN}`;
    const made = await api<GatewayRow>("/mcp-gateways", {
      slug,
      name: `Consent tools ${RUN}`,
      serverIds: [],
      teamIds: [teamId],
    });
    // The app registers itself; its name is whatever it says, shown as text only.
    const appName = `Journey <i>app</i> ${RUN}`;
    const redirectUri = "http://127.0.0.1:49321/callback";
    const registered = await fetch(`${gateway}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: appName,
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      }),
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    const verifier = randomBytes(32).toString("base64url");
    const authorize = new URL(`${gateway}/authorize`);
    for (const [k, v] of Object.entries({
      response_type: "code",
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
      state: `state-${RUN}`,
      scope: "mcp offline_access",
      resource: made.url,
    }))
      authorize.searchParams.set(k, v);

    // Signed out on a phone: sign in first, then the same request is on screen.
    const page = await newPage(browser, NARROW);
    let callback: URL | null = null;
    await page.route("http://127.0.0.1:49321/**", (route) => {
      callback = new URL(route.request().url());
      return route.fulfill({ status: 200, contentType: "text/plain", body: "Connected." });
    });
    await page.goto(authorize.toString());
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("heading", { level: 1, name: `${appName} wants to use Consent tools ${RUN}` })
      .waitFor();
    expect(new URL(page.url()).pathname).toBe("/oauth/consent");
    expect(new URL(page.url()).searchParams.get("client_id")).toBe(clientId);
    expect(await page.locator("main i").count()).toBe(0);
    await page.getByText("This app registered itself; its name is not verified.").waitFor();
    await page.getByText(/Access will be sent to 127\.0\.0\.1/).waitFor();
    await page.getByText(/sends access to an app on this computer/).waitFor();
    await page.getByText("Use the tools of this gateway as you").waitFor();
    await page.getByText("Stay connected without asking again (refresh tokens)").waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "oauth-consent-narrow");

    // Allow: the browser goes back to the app with a code and its state.
    await page.getByRole("button", { name: "Allow" }).click();
    await vi.waitFor(() => expect(callback).not.toBeNull(), { timeout: WAIT_MS, interval: 250 });
    // Let the browser finish landing there before it goes anywhere else.
    await page.waitForURL((url) => url.port === "49321", { waitUntil: "load" });
    const back = callback as URL | null;
    expect(back?.searchParams.get("state")).toBe(`state-${RUN}`);
    expect(back?.searchParams.get("code")).toBeTruthy();

    // The admin sees it among everyone's connections.
    await page.goto(`${gateway}/mcp-gateways`);
    const all = page.getByRole("region", { name: "MCP connections" });
    await all.getByText(appName, { exact: true }).waitFor();

    // Connected apps on the profile: there, and gone after Disconnect.
    await page.goto(`${gateway}/profile`);
    const apps = page.getByRole("region", { name: "Connected apps" });
    await apps.getByText(appName, { exact: true }).waitFor();
    await screenshot(page, "profile-connected-apps-narrow");
    await apps.getByRole("button", { name: `Disconnect ${appName}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Disconnect" }).click();
    await apps.getByText(appName, { exact: true }).waitFor({ state: "detached" });
    const mine = await api<{ data: { client: { id: string } }[] }>("/oauth/connections");
    expect(mine.data.map((c) => c.client.id)).not.toContain(clientId);
    await page.context().close();
  });

  it("serves the consent page so that no other site can frame it", async () => {
    const res = await fetch(`${gateway}/oauth/consent?client_id=x`);
    await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("shows the Worker's consent error as text, with no buttons", async () => {
    const page = await newPage(browser, NARROW);
    const message = "<b>Unknown client</b>: register the app again";
    await page.goto(`${gateway}/oauth/consent?error=${encodeURIComponent(message)}`);
    await page.getByText(message, { exact: true }).waitFor();
    expect(await page.locator("b").count()).toBe(0);
    expect(await page.getByRole("button").count()).toBe(0);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "oauth-consent-error-narrow");
    await page.context().close();
  });

  it("fits every MCP page on a 390 px screen", async () => {
    const page = await newPage(browser, NARROW);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
    const pages = [
      { path: "/mcp-servers", heading: "MCP servers" },
      { path: "/mcp-gateways", heading: "MCP gateways" },
      { path: "/mcp-logs", heading: "MCP logs" },
      { path: "/connect", heading: "Connect" },
      { path: "/profile", heading: "Your profile" },
    ];
    for (const p of pages) {
      await page.goto(`${gateway}${p.path}`);
      await page.getByRole("heading", { level: 1, name: p.heading }).waitFor();
      await page.waitForLoadState("networkidle");
      expect(await horizontalOverflow(page), `${p.path} at 390 px`).toBeLessThanOrEqual(0);
      await screenshot(page, `${p.path.slice(1)}-narrow`);
    }
    await page.context().close();
  });
});
