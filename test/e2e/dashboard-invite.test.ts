// An admin invites someone from the Members page; the invited person opens the link in their
// own browser, chooses a password, lands signed in with the invited role, and the link is then
// spent. The admin then deactivates them, and their open dashboard signs them out.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ADMIN, adminApi } from "./admin-api";
import { launchBrowser, newPage, screenshot, signInThroughPage } from "./browser";

const gateway = inject("gatewayUrl");
const INVITEE = "ivy@e2e.test";

let browser: Browser;

beforeAll(async () => {
  await adminApi(gateway);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe("invitations", () => {
  it("invites, accepts once, and a deactivation signs the person out", async () => {
    const admin = await newPage(browser);
    await signInThroughPage(admin, gateway, ADMIN.email, ADMIN.password);
    await admin.getByRole("link", { name: "Members" }).click();
    await admin.getByRole("button", { name: "Invite member" }).click();
    const dialog = admin.getByRole("dialog", { name: "Invite a member" });
    await dialog.getByLabel("Email").fill(INVITEE);
    await dialog.getByLabel("Role").selectOption("member");
    await dialog.getByRole("button", { name: "Create invitation" }).click();
    const link = (await dialog.getByTestId("token").textContent()) ?? "";
    expect(link).toMatch(new RegExp(`^${gateway}/invite/inv_[A-Za-z0-9_-]{43,}$`));
    await screenshot(admin, "members-invitation-link");
    await dialog.getByRole("button", { name: "Done" }).click();

    const invitee = await newPage(browser);
    await invitee.goto(link);
    await invitee.getByRole("heading", { name: /^Join / }).waitFor();
    await screenshot(invitee, "invitation-accept");
    await invitee.getByLabel("Your name").fill("Ivy Invitee");
    await invitee.getByLabel("Choose a password").fill("ivy's long password");
    await invitee.getByRole("button", { name: "Join" }).click();
    await invitee.locator("main#main").waitFor();
    await invitee.getByText("Ivy Invitee").first().waitFor();
    expect(new URL(invitee.url()).pathname).toBe("/connect");

    // The link is spent: opening it again says so instead of offering a second account.
    const again = await newPage(browser);
    await again.goto(link);
    await again.getByRole("heading", { name: "This invitation cannot be used" }).waitFor();

    // The admin deactivates Ivy; Ivy's next dashboard request finds her signed out.
    await admin.reload();
    await admin.getByRole("button", { name: "Deactivate Ivy Invitee" }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "Deactivate" }).click();
    await admin.getByRole("dialog").waitFor({ state: "hidden" });
    await admin.getByText("Deactivated", { exact: true }).waitFor();
    await screenshot(admin, "members");
    await invitee
      .getByRole("link", { name: "Profile" })
      .or(invitee.getByRole("link", { name: /Ivy Invitee/ }))
      .first()
      .click();
    await invitee.getByRole("heading", { name: "Sign in" }).waitFor();
    for (const page of [admin, invitee, again]) await page.context().close();
  });
});
