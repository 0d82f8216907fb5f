// An admin invites someone from the Members page; the invited person opens the link in their
// own browser, chooses a password, lands signed in with the invited role, and the link is then
// spent. The admin then deactivates them, and their open dashboard signs them out. The invite
// dialog offers every role there is, a custom role made on the page included, and starts on
// the least privileged one.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ADMIN, adminApi } from "./admin-api";
import { launchBrowser, newPage, screenshot, signInThroughPage } from "./browser";
import { HOOK_MS, TEST_MS } from "./waits";

const gateway = inject("gatewayUrl");
const INVITEE = "ivy@e2e.test";

let browser: Browser;

beforeAll(async () => {
  await adminApi(gateway);
  browser = await launchBrowser();
}, HOOK_MS);

afterAll(async () => {
  await browser?.close();
}, HOOK_MS);

async function membersPage(): Promise<Page> {
  const page = await newPage(browser);
  await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
  await page.getByRole("link", { name: "Members" }).click();
  await page.getByRole("heading", { level: 1, name: "Members" }).waitFor();
  return page;
}

describe("invitations", { timeout: TEST_MS }, () => {
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

  it("starts the invitation on the least privileged role", async () => {
    const page = await membersPage();
    await page.getByRole("button", { name: "Invite member" }).click();
    const role = page.getByRole("dialog", { name: "Invite a member" }).getByLabel("Role");
    // Every role is listed once the roles have loaded.
    await role.locator('option[value="admin"]').waitFor({ state: "attached" });
    expect(await role.inputValue()).toBe("member");
    await page.context().close();
  });

  it("offers a role made on the page in the invite dialog without a reload", async () => {
    const page = await membersPage();
    const name = `Auditor ${crypto.randomUUID().slice(0, 6)}`;
    await page.getByRole("button", { name: "New role" }).click();
    const roleDialog = page.getByRole("dialog", { name: "New role" });
    await roleDialog.getByLabel("Name").fill(name);
    await roleDialog.getByRole("checkbox").first().check();
    await roleDialog.getByRole("button", { name: "Create role" }).click();
    await roleDialog.waitFor({ state: "hidden" });
    await page.getByText(name, { exact: true }).waitFor();

    await page.getByRole("button", { name: "Invite member" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite a member" });
    const role = dialog.getByLabel("Role");
    await role.locator("option", { hasText: name }).waitFor({ state: "attached" });
    expect(await role.inputValue()).toBe("member");
    await role.selectOption({ label: `${name} (custom)` });
    await dialog.getByLabel("Email").fill("rita@e2e.test");
    await dialog.getByRole("button", { name: "Create invitation" }).click();
    await dialog.getByTestId("token").waitFor();
    await dialog.getByRole("button", { name: "Done" }).click();
    await page.getByRole("cell", { name, exact: true }).waitFor();
    await page.context().close();
  });
});
