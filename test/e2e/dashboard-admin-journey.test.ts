// An admin connects a member who may not create keys: the member's Connect page says so, the
// admin mints the member's two Connection keys on the Virtual keys page, the member's download
// uses them (and their requests are the member's), and a key the admin revokes stops working
// on the next request.
import Anthropic from "@anthropic-ai/sdk";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { ADMIN, type Api, adminApi, providerAndProxy } from "./admin-api";
import { launchBrowser, newPage, screenshot, signInThroughPage } from "./browser";
import { clientFrom, oneToken, readProfile } from "./profile-check";
import { HOOK_MS, TEST_MS, WAIT_MS } from "./waits";

const gateway = inject("gatewayUrl");
const fakeUrl = inject("e2eFakeAnthropicUrl");
const PROXY_NAME = "Admin journey";
const MEMBER = { email: "nico@e2e.test", name: "Nico Noperm", password: "nico's long password" };

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  ownerUserId: string;
  connectionProxyId: string | null;
  status: string;
}

let api: Api;
let browser: Browser;
let proxy: { id: string };
let memberId: string;

beforeAll(async () => {
  ({ api } = await adminApi(gateway));
  ({ proxy } = await providerAndProxy(api, fakeUrl, PROXY_NAME));
  // A role that may use proxies and see its own keys, but not create keys.
  const role = await api<{ id: string }>("/roles", {
    name: "Connect only",
    description: "Uses the keys an admin minted",
    permissions: ["llmProxy:read", "llmVirtualKey:read"],
  });
  ({ id: memberId } = await api<{ id: string }>("/users", { ...MEMBER, role: role.id }));
  browser = await launchBrowser();
}, HOOK_MS);

afterAll(async () => {
  await browser?.close();
}, HOOK_MS);

async function chooseProxy(page: Page) {
  // The review lists the proxies once they have loaded; only then is there a select or not.
  await page.getByText("MCP gateway: none (inference only)").waitFor();
  const select = page.getByLabel("LLM proxy");
  if ((await select.count()) === 0) return;
  await select.selectOption(proxy.id);
}

async function memberKeys(): Promise<KeyRow[]> {
  const { data } = await api<{ data: KeyRow[] }>(`/virtual-keys?ownerUserId=${memberId}`);
  return data.filter((k) => k.connectionProxyId === proxy.id);
}

describe("admin journey", { timeout: TEST_MS }, () => {
  it("mints a member's Connection keys, the member's download uses them, and revoking one stops it", async () => {
    // The member cannot make keys: the Connect page says so and who can help.
    const member = await newPage(browser);
    await signInThroughPage(member, gateway, MEMBER.email, MEMBER.password);
    await member.getByRole("button", { name: "Claude Desktop", exact: true }).click();
    await chooseProxy(member);
    await member.getByRole("button", { name: "Download configuration" }).click();
    await member
      .getByText(/ask an admin/i)
      .first()
      .waitFor();
    await screenshot(member, "connect-no-permission");
    expect(await memberKeys()).toEqual([]);

    // The admin mints the two keys for the member on the Virtual keys page.
    const admin = await newPage(browser);
    await signInThroughPage(admin, gateway, ADMIN.email, ADMIN.password);
    await admin.getByRole("link", { name: "Virtual keys" }).click();
    await admin.getByRole("button", { name: "Create Connection keys" }).click();
    const form = admin.getByRole("dialog");
    await form.getByLabel("Member").selectOption({ label: `${MEMBER.name} (${MEMBER.email})` });
    await form.getByLabel("LLM proxy").selectOption(proxy.id);
    await screenshot(admin, "virtual-keys-connection-form");
    await form.getByRole("button", { name: /create/i }).click();
    await admin.getByText(`Connection setup — ${MEMBER.email}`).first().waitFor();
    await screenshot(admin, "virtual-keys");
    const minted = await memberKeys();
    expect(minted.map((k) => k.name).sort()).toEqual([
      `Connection passthrough — ${MEMBER.email}`,
      `Connection setup — ${MEMBER.email}`,
    ]);

    // The member's download now uses exactly those keys.
    await member.reload();
    await member.getByRole("button", { name: "Claude Desktop", exact: true }).click();
    await chooseProxy(member);
    const [file] = await Promise.all([
      member.waitForEvent("download"),
      member.getByRole("button", { name: "Download configuration" }).click(),
    ]);
    const profile = await readProfile(file, gateway, proxy.id);
    const standard = minted.find((k) => k.name.startsWith("Connection setup"));
    const passthrough = minted.find((k) => k.name.startsWith("Connection passthrough"));
    expect(profile.apiKey.startsWith(standard?.prefix ?? "?")).toBe(true);
    expect(profile.passthroughKey.startsWith(passthrough?.prefix ?? "?")).toBe(true);
    expect((await memberKeys()).map((k) => k.id).sort()).toEqual(minted.map((k) => k.id).sort());

    // Requests with it are the member's.
    const client = clientFrom(profile);
    await oneToken(client);
    await vi.waitFor(
      async () => {
        const { data } = await api<{ data: { userEmail: string }[] }>(
          `/logs/llm?proxyId=${proxy.id}`,
        );
        expect(data.map((r) => r.userEmail)).toContain(MEMBER.email);
      },
      { timeout: WAIT_MS, interval: 250 },
    );

    // The admin revokes the setup key from the page; the next request with it is refused.
    await admin.getByRole("button", { name: `Revoke Connection setup — ${MEMBER.email}` }).click();
    const confirm = admin.getByRole("dialog");
    await confirm.getByRole("button", { name: /revoke/i }).click();
    await vi.waitFor(
      async () => {
        const keys = await memberKeys();
        expect(keys.find((k) => k.id === standard?.id)).toBeUndefined();
      },
      { timeout: WAIT_MS, interval: 250 },
    );
    const refused = await oneToken(client).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(Anthropic.AuthenticationError);
    await member.context().close();
    await admin.context().close();
  });
});
