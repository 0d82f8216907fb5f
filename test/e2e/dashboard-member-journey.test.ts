// A member connects Claude Desktop from the Connect page in Chromium: review, preview (no
// secret shown), download; the file is a valid profile that the official SDK can use, and a
// second download hands out the same two keys.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Api, adminApi, providerAndProxy } from "./admin-api";
import {
  horizontalOverflow,
  launchBrowser,
  NARROW,
  newPage,
  screenshot,
  signInThroughPage,
} from "./browser";
import { clientFrom, oneToken, readProfile } from "./profile-check";
import { HOOK_MS, TEST_MS } from "./waits";

const gateway = inject("gatewayUrl");
const fakeUrl = inject("e2eFakeAnthropicUrl");
const MEMBER = { email: "mia@e2e.test", name: "Mia Member", password: "mia's long password" };
const MASK = "••••••••••••••••••••";

let api: Api;
let browser: Browser;
let proxy: { id: string; baseUrl: string };

beforeAll(async () => {
  ({ api } = await adminApi(gateway));
  ({ proxy } = await providerAndProxy(api, fakeUrl, "Member journey"));
  await api("/users", { ...MEMBER, role: "member" });
  browser = await launchBrowser();
}, HOOK_MS);

afterAll(async () => {
  await browser?.close();
}, HOOK_MS);

/** Opens Connect, picks Claude Desktop and this test's proxy. */
async function openConnect(page: Page) {
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Connect" })
    .click();
  await page.getByRole("button", { name: "Claude Desktop", exact: true }).click();
  // The review lists the proxies once they have loaded; only then is there a select or not.
  await page.getByText("MCP gateway: none (inference only)").waitFor();
  const proxySelect = page.getByLabel("LLM proxy");
  // With one proxy there is nothing to choose: the review names it.
  if ((await proxySelect.count()) === 0) return page.getByText("Member journey").first().waitFor();
  await proxySelect.selectOption(proxy.id);
}

async function download(page: Page) {
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download configuration" }).click(),
  ]);
  return readProfile(file, gateway, proxy.id);
}

describe("member journey", { timeout: TEST_MS }, () => {
  it("signs in, connects Claude Desktop, and the downloaded profile works with the SDK", async () => {
    const page = await newPage(browser);
    await signInThroughPage(page, gateway, MEMBER.email, MEMBER.password);
    await openConnect(page);
    await screenshot(page, "connect-claude-desktop");

    await page.getByRole("button", { name: "Preview configuration" }).click();
    const preview = page.getByLabel("Configuration preview");
    await preview.getByText(MASK).first().waitFor();
    const shown = (await preview.textContent()) ?? "";
    expect(shown).toContain('"X-Archestra-Agent-Id": "anthropic_claude_desktop"');
    expect(shown).toContain(`/v1/anthropic/${proxy.id}`);
    expect(shown).not.toMatch(/arch_[A-Za-z0-9_-]{8}/);
    await page
      .getByText(/plain text/i)
      .first()
      .waitFor();
    await screenshot(page, "connect-preview");

    const first = await download(page);
    // The preview never held the secrets the file holds.
    expect(shown).not.toContain(first.apiKey);
    expect(shown).not.toContain(first.passthroughKey);

    const message = await oneToken(clientFrom(first));
    expect(message.content[0]).toMatchObject({ type: "text" });
    expect(message.usage.output_tokens).toBe(1);

    const second = await download(page);
    expect(second.fileName).not.toBe(first.fileName);
    expect(second.apiKey).toBe(first.apiKey);
    expect(second.passthroughKey).toBe(first.passthroughKey);

    // Exactly one pair exists for the member on this proxy, named as the contract says.
    const { data } = await api<{ data: { name: string; connectionProxyId: string | null }[] }>(
      "/virtual-keys",
    );
    const mine = data.filter((k) => k.connectionProxyId === proxy.id).map((k) => k.name);
    expect(mine.sort()).toEqual([
      `Connection passthrough — ${MEMBER.email}`,
      `Connection setup — ${MEMBER.email}`,
    ]);
    await page.context().close();
  });

  it("shows Claude Code and any-client settings with keys masked until asked", async () => {
    const page = await newPage(browser);
    await signInThroughPage(page, gateway, MEMBER.email, MEMBER.password);
    await openConnect(page);
    await page.getByRole("button", { name: "Claude Code", exact: true }).click();
    await page.getByText("ANTHROPIC_CUSTOM_HEADERS").first().waitFor();
    const main = page.getByRole("main");
    expect(await main.textContent()).not.toMatch(/arch_[A-Za-z0-9_-]{20}/);
    await page.getByText("ANTHROPIC_BASE_URL").first().waitFor();
    await screenshot(page, "connect-claude-code");
    await page.getByRole("button", { name: "Any Anthropic client", exact: true }).click();
    await page.getByText("curl").first().waitFor();
    await screenshot(page, "connect-any-client");
    await page.context().close();
  });

  it("reads well on a narrow screen", async () => {
    const page = await newPage(browser, NARROW);
    await signInThroughPage(page, gateway, MEMBER.email, MEMBER.password);
    await page.getByRole("button", { name: "Claude Desktop", exact: true }).waitFor();
    const overflow = await horizontalOverflow(page);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, "connect-narrow");
    await page.context().close();
  });
});
