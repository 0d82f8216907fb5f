// "Sign in with SSO" in Chromium: the click leaves the dashboard for the identity provider (a
// fake on loopback that signs real ID tokens and approves at once) and the browser comes back
// signed in as the provider's user. Links to the gateway's own routes (/api, /v1, the OAuth
// endpoints) are full page loads, never routes of the dashboard's client-side router.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SsoSettingsView } from "../../shared/api-types";
import { type FakeOidc, startFakeOidc } from "../fakes/oidc-provider";
import { type Api, adminApi } from "./admin-api";
import { launchBrowser, newPage, screenshot } from "./browser";
import { HOOK_MS, TEST_MS } from "./waits";

const gateway = inject("gatewayUrl");
const CLIENT_ID = "gatehouse-e2e-sso";
const CLIENT_SECRET = "fake-e2e-client-secret-0123456789";
const SSO_USER = { sub: "e2e-sso-1", email: "sam.sso@e2e.test", name: "Sam Sso" };

let api: Api;
let oidc: FakeOidc;
let issuer: string;
let browser: Browser;

beforeAll(async () => {
  ({ api } = await adminApi(gateway));
  oidc = await startFakeOidc();
  issuer = `${oidc.url}/t/dashboard-${crypto.randomUUID().slice(0, 8)}`;
  const { oidcRedirectUri } = await api<SsoSettingsView>("/sso");
  const configured = await fetch(`${issuer}/_fake/config`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: oidcRedirectUri,
      user: SSO_USER,
    }),
  });
  expect(configured.status).toBe(200);
  await api(
    "/sso",
    {
      oidcEnabled: true,
      oidcIssuer: issuer,
      oidcClientId: CLIENT_ID,
      oidcClientSecret: CLIENT_SECRET,
      oidcDefaultRole: "member",
    },
    "PATCH",
  );
  browser = await launchBrowser();
}, HOOK_MS);

afterAll(async () => {
  // The other files share this gateway: their sign-in page offers no SSO.
  await api?.("/sso", { oidcEnabled: false }, "PATCH");
  await browser?.close();
  await oidc?.close();
}, HOOK_MS);

describe("single sign-on in the dashboard", { timeout: TEST_MS }, () => {
  it("goes to the identity provider and comes back signed in", async () => {
    const page = await newPage(browser);
    await page.goto(`${gateway}/`);
    const sso = page.getByRole("link", { name: "Sign in with SSO" });
    await sso.waitFor();
    await screenshot(page, "sign-in-sso");
    const toProvider = page.waitForRequest((req) => req.url().startsWith(`${issuer}/authorize`));
    await sso.click();
    await toProvider;
    // The provider approves and sends the browser back through the callback to the dashboard.
    await page.waitForURL((url) => url.origin === gateway && url.pathname === "/connect");
    await page.locator("main#main").waitFor();
    await page.getByText(SSO_USER.name).first().waitFor();
    const { user } = await page.evaluate<{ user: { email: string } }>(
      "fetch('/api/me').then((r) => r.json())",
    );
    expect(user.email).toBe(SSO_USER.email);
    await page.context().close();
  });

  it("leaves the dashboard for a link to one of the gateway's own routes", async () => {
    const page = await newPage(browser);
    await page.goto(`${gateway}/`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    for (const path of [
      "/api/openapi.json",
      "/healthz",
      "/.well-known/oauth-authorization-server",
    ]) {
      // A string, because the tests' TypeScript has no DOM.
      await page.evaluate(
        `(() => { const a = document.createElement("a"); a.href = ${JSON.stringify(path)};
          a.textContent = "server route"; a.id = "server-route"; document.body.append(a); })()`,
      );
      const answer = page.waitForResponse((res) => new URL(res.url()).pathname === path);
      await page.locator("#server-route").click();
      // The gateway's own answer (JSON; the dashboard would have served its HTML).
      expect((await answer).headers()["content-type"]).toMatch(/^application\/json/);
      await page.waitForURL((url) => url.pathname === path);
      await page.goBack();
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
    }
    await page.context().close();
  });
});
