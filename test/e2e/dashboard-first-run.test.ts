// A fresh install in the browser: the first-run screen makes the organisation and its admin,
// who lands signed in, signs out, and signs back in.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { horizontalOverflow, launchBrowser, NARROW, newPage, screenshot } from "./browser";
import { type RunningGateway, startGateway } from "./gateway-process";
import { HOOK_MS, TEST_MS } from "./waits";

let gateway: RunningGateway;
let browser: Browser;

beforeAll(async () => {
  [gateway, browser] = await Promise.all([startGateway(), launchBrowser()]);
}, HOOK_MS);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
}, HOOK_MS);

describe("first run", { timeout: TEST_MS }, () => {
  it("creates the first admin, signs out and signs in again", async () => {
    const page = await newPage(browser);
    await page.goto(gateway.url);
    await page.getByRole("heading", { name: "Set up Gatehouse" }).waitFor();
    await screenshot(page, "first-run");

    // The browser's own validation holds a short password back; the API's rule is shown too.
    await page.getByLabel("Organisation").fill("Initech");
    await page.getByLabel("Your name").fill("Peter Gibbons");
    await page.getByLabel("Email").fill("Peter@Initech.test");
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Create organisation" }).click();

    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.waitFor();
    await nav.getByText("Peter Gibbons").waitFor();
    expect(new URL(page.url()).pathname).toBe("/connect");

    await nav.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await screenshot(page, "sign-in");

    await page.getByLabel("Email").fill("peter@initech.test");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Wrong email or password" }).waitFor();

    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await nav.waitFor();

    // Setup is closed now: the API refuses a second one.
    const again = await fetch(`${gateway.url}/api/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        organisationName: "X",
        name: "Y",
        email: "y@x.test",
        password: "a long enough password",
      }),
    });
    expect(again.status).toBe(409);
    await page.context().close();
  });

  it("shows the sign-in page on a narrow screen without horizontal scrolling", async () => {
    const page = await newPage(browser, NARROW);
    await page.goto(gateway.url);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    const overflow = await horizontalOverflow(page);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, "sign-in-narrow");
    await page.context().close();
  });
});
