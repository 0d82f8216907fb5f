// The Telemetry page in Chromium, against the shared gateway: nothing waiting says so; then,
// with two dead letters kept in the gateway's D1 (dead-letter-rows.ts), the admin sees them
// and their reasons (and a count on the Telemetry link), opens one to its message, retries
// it (the row leaves the list and reaches the LLM log through the queue) and discards the
// other after confirming. The page fits a 390 px screen with a dead letter on it.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { DeadLetterPage } from "../../shared/api-types";
import { ADMIN, type Api, adminApi } from "./admin-api";
import {
  horizontalOverflow,
  launchBrowser,
  NARROW,
  newPage,
  screenshot,
  signInThroughPage,
} from "./browser";
import { keepDeadLetter, llmRequestBody } from "./dead-letter-rows";
import { HOOK_MS, TEST_MS, WAIT_MS } from "./waits";

const gateway = inject("gatewayUrl");
const stateDir = inject("gatewayStateDir");
const RUN = Date.now().toString(36);
const MODEL = `claude-e2e-dead-letter-${RUN}`;
const REASON = "D1 refused it: D1_ERROR: database is locked (e2e)";

let api: Api;
let userId: string;
let orgId: string;
let browser: Browser;

beforeAll(async () => {
  ({ api, userId } = await adminApi(gateway));
  ({
    user: { organisationId: orgId },
  } = await api<{ user: { organisationId: string } }>("/me"));
  browser = await launchBrowser();
}, HOOK_MS);

afterAll(async () => {
  await browser?.close();
}, HOOK_MS);

const waiting = () => api<DeadLetterPage>("/telemetry/dead-letters?limit=200");

/** Keeps a dead letter and waits until the gateway lists it. */
async function keep(body: unknown, reason: string, id: string) {
  const letter = keepDeadLetter(stateDir, { id, body, attempts: 5 }, reason);
  return vi.waitFor(
    async () => {
      const found = (await waiting()).data.find((d) => d.id === letter.id);
      if (!found) throw new Error(`the gateway does not list dead letter ${letter.id} yet`);
      return found;
    },
    { timeout: WAIT_MS, interval: 250 },
  );
}

async function openTelemetry(page: Page) {
  await page.goto(`${gateway}/connect`);
  await page.locator("main#main").waitFor();
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: /^Telemetry/ }).click();
  await page.getByRole("heading", { level: 1, name: "Telemetry", exact: true }).waitFor();
}

const nothingWaiting = (page: Page) =>
  page.getByText("Every log row and tool call reached the database.").waitFor();

describe("Telemetry dashboard", { timeout: TEST_MS }, () => {
  it("says nothing is waiting when every message was stored", async () => {
    expect((await waiting()).data, "dead letters left by another test").toEqual([]);
    const page = await newPage(browser);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
    await openTelemetry(page);
    await page.getByText("Nothing is waiting").waitFor();
    await nothingWaiting(page);
    expect(await page.getByRole("button", { name: "Retry all" }).count()).toBe(0);
    await screenshot(page, "telemetry-empty");
    await page.context().close();
  });

  it("lets an admin read, retry and discard dead letters", async () => {
    const rowId = `req_e2e_dl_${RUN}`;
    const valid = await keep(
      llmRequestBody(orgId, userId, MODEL, rowId),
      REASON,
      `e2e-dl-valid-${RUN}`,
    );
    const unreadable = await keep(
      { v: 99, note: `from the future ${RUN}` },
      "not a telemetry message of version 1 (version 99): kind: Invalid discriminator value",
      `e2e-dl-unknown-${RUN}`,
    );
    expect(valid.summary).toBe(`${MODEL} · status 200 · user ${userId}`);

    const page = await newPage(browser);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Telemetry (2 waiting)", exact: true }).waitFor();
    await openTelemetry(page);

    // Both, with their reasons and kinds.
    const validRow = page.locator("tr.log-row", { hasText: MODEL });
    const unreadableRow = page.locator("tr.log-row", { hasText: unreadable.summary });
    await validRow.getByText(REASON).waitFor();
    await validRow.getByText("LLM request").waitFor();
    await unreadableRow.getByText("Unknown shape").waitFor();
    await unreadableRow
      .getByText(/version 99/)
      .first()
      .waitFor();
    await page.getByText("2 waiting").first().waitFor();

    // The message itself, one click away.
    await page.getByRole("button", { name: `Details for ${valid.summary}` }).click();
    const message = page.getByRole("figure").filter({ hasText: "Message" });
    await message.getByText(`"id": "${rowId}"`).waitFor();
    await screenshot(page, "telemetry-dead-letters");

    // Retry: the row goes, and the request reaches the LLM log through the queue.
    await page.getByRole("button", { name: `Retry ${valid.summary}` }).click();
    await page.getByText(`Sent again: ${valid.summary}`).waitFor();
    await validRow.waitFor({ state: "detached" });
    await nav.getByRole("link", { name: "Telemetry (1 waiting)", exact: true }).waitFor();
    await vi.waitFor(
      async () => {
        const { data } = await api<{ data: { id: string; model: string }[] }>(
          `/logs/llm?model=${encodeURIComponent(MODEL)}`,
        );
        expect(data.map((r) => r.id)).toEqual([rowId]);
      },
      { timeout: WAIT_MS, interval: 250 },
    );

    // Discard, after confirming: then nothing is waiting.
    await page.getByRole("button", { name: `Discard ${unreadable.summary}` }).click();
    const dialog = page.getByRole("dialog", { name: "Discard this dead letter?" });
    await dialog.getByText(unreadable.summary).waitFor();
    await dialog.getByRole("button", { name: "Discard" }).click();
    await dialog.waitFor({ state: "hidden" });
    await unreadableRow.waitFor({ state: "detached" });
    await nothingWaiting(page);
    expect(await nav.getByRole("link", { name: /waiting/ }).count()).toBe(0);
    expect((await waiting()).total).toBe(0);
    await page.context().close();
  });

  it("fits a 390 px screen with a dead letter on it", async () => {
    const letter = await keep(
      { v: 98, detail: "x".repeat(400) },
      `not a telemetry message of version 1 (version 98): ${"a long reason ".repeat(40)}`,
      `e2e-dl-narrow-${RUN}`,
    );
    const page = await newPage(browser, NARROW);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
    await page.goto(`${gateway}/telemetry`);
    await page.getByRole("button", { name: `Details for ${letter.summary}` }).click();
    await page.getByRole("figure").filter({ hasText: "Message" }).getByText('"v": 98').waitFor();
    await page.getByRole("button", { name: `Retry ${letter.summary}` }).waitFor();
    expect(
      await horizontalOverflow(page),
      "the Telemetry page scrolls sideways",
    ).toBeLessThanOrEqual(0);
    await screenshot(page, "telemetry-narrow");
    await api(`/telemetry/dead-letters/${letter.id}`, undefined, "DELETE");
    await page.context().close();
  });
});
