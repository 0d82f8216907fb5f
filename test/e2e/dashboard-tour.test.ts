// Every page of the dashboard, as an admin with data and as a member, at desktop and phone
// widths: each renders its heading without a script error, fits the screen, and leaves a
// screenshot in test-results/screenshots/ for people to look at.

import Anthropic from "@anthropic-ai/sdk";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { ADMIN, adminApi, providerAndProxy } from "./admin-api";
import {
  DESKTOP,
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
const VIEWER = { email: "val@e2e.test", name: "Val Viewer", password: "val's long password" };

const ADMIN_PAGES = [
  { path: "/connect", name: "connect" },
  { path: "/virtual-keys", name: "virtual-keys" },
  { path: "/llm-proxies", name: "llm-proxies" },
  { path: "/provider-keys", name: "provider-keys" },
  { path: "/costs", name: "costs" },
  { path: "/members", name: "members" },
  { path: "/teams", name: "teams" },
  { path: "/audit", name: "audit" },
  { path: "/mcp-servers", name: "mcp-servers" },
  { path: "/mcp-gateways", name: "mcp-gateways" },
  { path: "/mcp-logs", name: "mcp-logs" },
  { path: "/observability", name: "observability" },
  { path: "/telemetry", name: "telemetry" },
  { path: "/settings", name: "settings" },
  { path: "/profile", name: "profile" },
];

let browser: Browser;

beforeAll(async () => {
  const { api, userId } = await adminApi(gateway);
  const { proxy } = await providerAndProxy(api, fakeUrl, "Tour");
  // Some real traffic, so Costs & limits has spend to chart (rollups land within seconds).
  const { profile } = await api<{
    profile: {
      inference: {
        baseUrl: string;
        customHeaders: Record<string, string>;
        credential: { apiKey: string };
      };
    };
  }>("/connection-setups/claude-desktop", { proxyId: proxy.id });
  const client = new Anthropic({
    baseURL: profile.inference.baseUrl,
    apiKey: profile.inference.credential.apiKey,
    defaultHeaders: profile.inference.customHeaders,
    maxRetries: 0,
  });
  for (const model of ["claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"]) {
    await client.messages.create({
      model,
      max_tokens: 16,
      messages: [{ role: "user", content: "Hello [fake:cache]" }],
    });
  }
  await vi.waitFor(
    async () => {
      const usage = await api<{ data: { requests: number }[] }>(`/usage?proxyId=${proxy.id}`);
      expect(usage.data.reduce((n, r) => n + r.requests, 0)).toBe(2);
    },
    { timeout: WAIT_MS, interval: 250 },
  );
  const viewer = await api<{ id: string }>("/users", { ...VIEWER, role: "member" });
  const team = await api<{ id: string }>("/teams", {
    name: "Tour team",
    description: "Seen on the tour",
  });
  await api(`/teams/${team.id}/members`, { userId: viewer.id });
  await api("/limits", {
    name: "Monthly budget",
    scope: "organisation",
    metric: "cost",
    window: "month",
    amountUsd: 500,
  });
  await api("/limits", {
    name: "Ada per minute",
    scope: "user",
    scopeId: userId,
    metric: "requests",
    window: "minute",
    amount: 60,
  });
  browser = await launchBrowser();
}, HOOK_MS);

afterAll(async () => {
  await browser?.close();
}, HOOK_MS);

async function visit(page: Page, path: string) {
  await page.goto(`${gateway}${path}`);
  await page.locator("main#main h1").first().waitFor();
  // Wait until no section is still loading; if one never ends, say which page and what it shows.
  await page
    .waitForFunction("!document.querySelector('main [role=status] .spinner')")
    .catch(async (err: unknown) => {
      const shown = ((await page.locator("main#main").textContent()) ?? "").slice(0, 600);
      throw new Error(`${path} is still loading:\n${shown}`, { cause: err });
    });
}

/** Longer than any fixed wait these tests once had (10 s), as a busy machine can be. */
const SLOW_ANSWER_MS = 12_000;

describe("dashboard tour", { timeout: TEST_MS }, () => {
  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["narrow", NARROW],
  ] as const) {
    it(`shows every page to an admin (${label})`, async () => {
      const page = await newPage(browser, viewport);
      const errors: string[] = [];
      page.on("pageerror", (err) => errors.push(err.message));
      await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
      for (const p of ADMIN_PAGES) {
        await visit(page, p.path);
        expect(await page.locator("main#main").textContent()).not.toMatch(
          /\[object Object\]|undefined|NaN/,
        );
        expect(await horizontalOverflow(page), `${p.path} scrolls sideways`).toBeLessThanOrEqual(0);
        await screenshot(page, `tour-${p.name}-${label}`);
      }
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }

  it("shows a member only what they may use, and says so on a page they may not", async () => {
    const page = await newPage(browser);
    await signInThroughPage(page, gateway, VIEWER.email, VIEWER.password);
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link", { name: "Provider keys" }).count()).resolves.toBe(0);
    await expect(nav.getByRole("link", { name: /costs/i }).count()).resolves.toBe(0);
    await expect(nav.getByRole("link", { name: "MCP servers" }).count()).resolves.toBe(0);
    await visit(page, "/costs");
    expect(await page.locator("main#main").textContent()).toMatch(/permission|admin/i);
    await screenshot(page, "tour-costs-member");
    await page.context().close();
  });

  it("waits for a page however long the gateway takes to answer (a busy machine)", async () => {
    const page = await newPage(browser);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
    await page.route("**/api/**", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, SLOW_ANSWER_MS));
      await route.continue();
    });
    await visit(page, "/teams");
    await page.getByText("Tour team").first().waitFor();
    await page.context().close();
  });
});
