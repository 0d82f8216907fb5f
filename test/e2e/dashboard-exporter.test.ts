// The Settings page's OpenTelemetry exporter card in Chromium, against the shared gateway and a
// real OTLP receiver on loopback: an endpoint the API refuses shows its error beside the field;
// "Send a test span" shows what the collector answered; saved headers come back as names only;
// real traffic through the proxy is exported and counted; a collector answering 401 is shown
// with its answer; an editor (no telemetry:update) sees no edit controls; the card fits a
// 390 px screen; Remove asks first, then removes the exporter.
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { TelemetryExporterAnswer } from "../../shared/api-types";
import { type OtlpReceiver, startOtlpReceiver } from "../fakes/otlp-receiver";
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
const RUN = Date.now().toString(36);
const TENANT = `e2e-${RUN}`;
const SECRET = `e2e-otlp-secret-${RUN}`;
const EDITOR = {
  email: `exporter-editor-${RUN}@e2e.test`,
  name: "Eddie Editor",
  password: "eddie's long password",
};
const TITLE = "Trace and metric export (OpenTelemetry)";

let api: Api;
let receiver: OtlpReceiver;
let browser: Browser;

const removeExporter = () =>
  api("/telemetry/exporter", undefined, "DELETE").catch((err: unknown) => {
    if (!String(err).includes(": 404 ")) throw err;
  });

beforeAll(async () => {
  ({ api } = await adminApi(gateway));
  await removeExporter();
  receiver = await startOtlpReceiver();
  browser = await launchBrowser();
}, HOOK_MS);

afterAll(async () => {
  // The gateway is shared: later files' traffic must not be exported to a closed receiver.
  await removeExporter();
  await browser?.close();
  await receiver?.close();
}, HOOK_MS);

async function openCard(page: Page): Promise<Locator> {
  await page.goto(`${gateway}/settings`);
  await page.getByRole("heading", { name: "Organisation settings" }).waitFor();
  const card = page.locator("section.card", { has: page.getByRole("heading", { name: TITLE }) });
  await card.waitFor();
  await card.locator("[role=status] .spinner").waitFor({ state: "detached" });
  return card;
}

describe("the exporter card", { timeout: TEST_MS }, () => {
  it("tests, saves and shows an exporter; exports real traffic; shows a collector's refusal", async () => {
    const page = await newPage(browser);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
    let card = await openCard(page);
    expect(await card.getByRole("button", { name: "Remove" }).count()).toBe(0);

    // The API's refusal shows beside the field it names.
    await card.getByLabel("Collector endpoint").fill("ftp://collector.e2e.test");
    await card.getByRole("button", { name: "Save exporter" }).click();
    await card
      .locator("#field-endpoint-error")
      .getByText(/http:\/\/ or https:\/\//)
      .waitFor();

    // A test span before saving: the collector's answer is shown.
    await card.getByLabel("Collector endpoint").fill(receiver.endpoint(TENANT));
    await card.getByLabel("Protocol").selectOption("http/protobuf");
    await card.getByLabel("Headers", { exact: true }).fill(`Authorization: Bearer ${SECRET}`);
    await card.getByRole("button", { name: "Send a test span" }).click();
    await card.getByText("The collector accepted the test span").waitFor();
    const [testRequest] = receiver.received(TENANT).requests;
    expect(testRequest?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(testRequest?.contentType).toBe("application/x-protobuf");
    receiver.reset(TENANT);

    await card.getByRole("button", { name: "Save exporter" }).click();
    await card.getByText("Exporter saved.").waitFor();

    // Reloaded: the header by name only; its value is nowhere on the page.
    card = await openCard(page);
    await card.getByText("Leave empty to keep the stored headers (Authorization)").waitFor();
    expect(await card.getByLabel("Headers", { exact: true }).inputValue()).toBe("");
    expect(await page.content()).not.toContain(SECRET);

    // Real traffic through the proxy is exported from the queue consumer, and counted.
    const { proxy } = await providerAndProxy(api, fakeUrl, `Exporter ${RUN}`);
    const { profile } = await api<{
      profile: {
        inference: { customHeaders: Record<string, string>; credential: { apiKey: string } };
      };
    }>("/connection-setups/claude-desktop", { proxyId: proxy.id });
    /** One Messages request through the proxy, as the member's profile sends it. */
    const ask = (content: string) =>
      fetch(`${proxy.baseUrl}/v1/messages`, {
        method: "POST",
        headers: {
          ...profile.inference.customHeaders,
          "x-api-key": profile.inference.credential.apiKey,
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
        },
        body: JSON.stringify({
          model: "claude-sonnet-4-5-20250929",
          max_tokens: 16,
          messages: [{ role: "user", content }],
        }),
      });
    const sent = await ask("hi");
    expect(sent.status).toBe(200);
    await sent.text();
    await vi.waitFor(() => expect(receiver.received(TENANT).traces.length).toBeGreaterThan(0), {
      timeout: WAIT_MS,
      interval: 250,
    });
    const spans = receiver.received(TENANT).traces.flatMap((t) => t.spans);
    expect(spans.some((s) => s.name === "chat claude-sonnet-4-5-20250929")).toBe(true);
    await vi.waitFor(
      async () => {
        const { exporter } = await api<TelemetryExporterAnswer>("/telemetry/exporter");
        expect(exporter?.delivery.exported.spans).toBeGreaterThan(0);
      },
      { timeout: WAIT_MS, interval: 250 },
    );
    await card.getByRole("button", { name: "Refresh" }).click();
    await card
      .getByText(/^[1-9][\d,]* spans, [1-9][\d,]* metric points$/)
      .first()
      .waitFor();

    // The collector starts refusing the key: the test shows it, and so does the next export.
    receiver.control(TENANT, { mode: "status", status: 401, body: "invalid API key" });
    await card.getByRole("button", { name: "Send a test span" }).click();
    await card.getByText("The collector refused the test span").waitFor();
    await card.locator(".notice").getByText("invalid API key").waitFor();
    const again = await ask("hi again");
    expect(again.status).toBe(200);
    await again.text();
    await vi.waitFor(
      async () => {
        const { exporter } = await api<TelemetryExporterAnswer>("/telemetry/exporter");
        expect(exporter?.delivery.lastError?.status).toBe(401);
        expect(exporter?.delivery.dropped.spans).toBeGreaterThan(0);
      },
      { timeout: WAIT_MS, interval: 250 },
    );
    await card.getByRole("button", { name: "Refresh" }).click();
    await card.getByText("the collector answered HTTP 401").waitFor();
    await card.locator(".exporter-delivery").getByText("invalid API key").waitFor();
    await screenshot(page, "settings-exporter");
    await page.context().close();
  });

  it("shows an editor the exporter without edit controls", async () => {
    await api("/users", { ...EDITOR, role: "editor" });
    const page = await newPage(browser);
    await signInThroughPage(page, gateway, EDITOR.email, EDITOR.password);
    const card = await openCard(page);
    await card.getByText("Changing the exporter needs the permission").waitFor();
    expect(await card.getByLabel("Collector endpoint").inputValue()).toBe(
      receiver.endpoint(TENANT),
    );
    for (const name of ["Save exporter", "Send a test span", "Remove"]) {
      expect(await card.getByRole("button", { name }).count(), name).toBe(0);
    }
    await page.context().close();
  });

  it("fits a 390 px screen, and removes the exporter after asking", async () => {
    const page = await newPage(browser, NARROW);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
    const card = await openCard(page);
    expect(await horizontalOverflow(page)).toBe(0);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, "settings-exporter-narrow");
    await card.getByRole("button", { name: "Remove" }).click();
    const dialog = page.getByRole("dialog", { name: "Remove the exporter?" });
    await dialog.getByRole("button", { name: "Remove exporter" }).click();
    await card.getByRole("button", { name: "Remove" }).waitFor({ state: "detached" });
    expect(await card.getByLabel("Collector endpoint").inputValue()).toBe("");
    const { exporter } = await api<TelemetryExporterAnswer>("/telemetry/exporter");
    expect(exporter).toBeNull();
    await page.context().close();
  });
});
