// The Observability page in Chromium, against the shared gateway. Log rows of a day of traffic
// (answered, refused by the gateway, overloaded, abandoned; with the gateway's added time) and
// a conversation of three LLM requests with two MCP tool calls between them are written into
// the gateway's own D1 with `wrangler d1 execute --local`, as the queue consumer would have
// stored them. The page draws its charts from them, an agent and then a model filter narrow
// the figures (kept in the URL), a range with no traffic shows the empty state, and a request
// opens to its trace: the conversation's calls in time order as a waterfall, the request
// highlighted, its captured prompt and completion below, or the capture notice when none.
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { ObservabilitySummary, RequestOutcome } from "../../shared/api-types";
import { ADMIN, type Api, adminApi } from "./admin-api";
import {
  horizontalOverflow,
  launchBrowser,
  NARROW,
  newPage,
  screenshot,
  signInThroughPage,
} from "./browser";
import { executeLocalD1 } from "./local-d1";
import { HOOK_MS, TEST_MS, WAIT_MS } from "./waits";

const gateway = inject("gatewayUrl");
const stateDir = inject("gatewayStateDir");
const RUN = Date.now().toString(36);
const AGENT = `e2e-observability-${RUN}`;
const CONVERSATION = `e2e-conversation-${RUN}`;
const HAIKU = "claude-haiku-4-5";
const SONNET = "claude-sonnet-4-5";
const MIN = 60_000;
const PROMPT = `Summarise the quarterly report ${RUN}`;

let api: Api;
let browser: Browser;

type Value = string | number | null;
type Row = Record<string, Value>;

/** A day of a Haiku agent's traffic: one request every 55 minutes, outcomes in a fixed mix. */
function background(orgId: string, userId: string, now: number) {
  const outcomes: RequestOutcome[] = [];
  const rows = Array.from({ length: 24 }, (_, i): Row => {
    const outcome: RequestOutcome =
      i % 8 === 3 ? "refused" : i % 8 === 6 ? "server_error" : i % 11 === 5 ? "client_gone" : "ok";
    outcomes.push(outcome);
    const ttfb = outcome === "refused" ? null : 300 + ((i * 137) % 900);
    return llmRow(orgId, userId, {
      id: `req_e2e_obs_${RUN}_${i}`,
      created_at: now - (i * 55 + 7) * MIN,
      model: HAIKU,
      status: outcome === "refused" ? 429 : outcome === "server_error" ? 529 : 200,
      error_type:
        outcome === "refused"
          ? "rate_limit_error"
          : outcome === "server_error"
            ? "overloaded_error"
            : null,
      client_gone: outcome === "client_gone" ? 1 : 0,
      ttfb_ms: ttfb,
      duration_ms: (ttfb ?? 2) + (outcome === "refused" ? 0 : 800 + ((i * 251) % 3000)),
      overhead_ms: 5 + ((i * 7) % 20),
      input_tokens: 800 + ((i * 91) % 2000),
      output_tokens: outcome === "ok" ? 50 + ((i * 37) % 400) : 0,
    });
  });
  return { rows, outcomes };
}

function llmRow(orgId: string, userId: string, over: Row): Row {
  return {
    org_id: orgId,
    proxy_id: `prx_e2e_obs_${RUN}`,
    endpoint: "messages",
    user_id: userId,
    credential: "virtual_key",
    billing_mode: "metered",
    agent_id: AGENT,
    streamed: 1,
    status: 200,
    error_type: null,
    input_tokens: 1200,
    output_tokens: 300,
    cache_write_5m_tokens: 0,
    cache_write_1h_tokens: 0,
    cache_read_tokens: 0,
    cost_micro_usd: 4200,
    list_cost_micro_usd: 4200,
    client_gone: 0,
    rolled_up: 1,
    conversation_id: null,
    overhead_ms: 10,
    ...over,
  };
}

function toolRow(orgId: string, userId: string, over: Row): Row {
  return {
    org_id: orgId,
    user_id: userId,
    gateway_id: `mcg_e2e_obs_${RUN}`,
    gateway_slug: "workspace",
    server_name: "files",
    request_bytes: 120,
    response_bytes: 2400,
    outcome: "ok",
    ...over,
  };
}

/** Three LLM requests of one conversation with two tool calls between them, 20 minutes ago. */
function conversation(orgId: string, userId: string, now: number) {
  const t0 = now - 20 * MIN;
  const llm = [
    { id: `req_e2e_conv_${RUN}_1`, at: t0, ttfb: 820, duration: 4200, overhead: 14 },
    { id: `req_e2e_conv_${RUN}_2`, at: t0 + 5200, ttfb: 610, duration: 3900, overhead: 11 },
    { id: `req_e2e_conv_${RUN}_3`, at: t0 + 10_600, ttfb: 700, duration: 2500, overhead: 9 },
  ].map((r) =>
    llmRow(orgId, userId, {
      id: r.id,
      created_at: r.at,
      model: SONNET,
      ttfb_ms: r.ttfb,
      duration_ms: r.duration,
      overhead_ms: r.overhead,
      conversation_id: CONVERSATION,
    }),
  );
  const tools = [
    toolRow(orgId, userId, {
      id: `call_e2e_conv_${RUN}_1`,
      at: t0 + 4400,
      tool: "files__read_file",
      duration_ms: 640,
      conversation_id: CONVERSATION,
    }),
    toolRow(orgId, userId, {
      id: `call_e2e_conv_${RUN}_2`,
      at: t0 + 9300,
      tool: "files__write_file",
      duration_ms: 1100,
      outcome: "tool_error",
      error: "Permission denied: /reports/q3.md",
      conversation_id: CONVERSATION,
    }),
  ];
  const payload: Row = {
    request_id: `req_e2e_conv_${RUN}_2`,
    org_id: orgId,
    created_at: t0 + 5200,
    request: JSON.stringify({ messages: [{ role: "user", content: PROMPT }] }),
    response: JSON.stringify({ content: [{ type: "text", text: "Revenue grew 12%." }] }),
  };
  return { llm, tools, payload, ids: llm.map((r) => String(r.id)) };
}

const literal = (v: Value) =>
  v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v.replaceAll("'", "''")}'`;

function insertSql(table: string, rows: Row[]): string {
  return rows
    .map((r) => {
      const columns = Object.keys(r);
      const values = columns.map((c) => literal(r[c] ?? null));
      return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${values.join(", ")});`;
    })
    .join("\n");
}

/** Writes rows into the gateway's own D1, as its queue consumer would have. */
function storeRows(sql: string) {
  executeLocalD1(stateDir, sql);
}

let expected: { total: number; byOutcome: Record<string, number>; haiku: number };
let conversationIds: string[];
let captureContent: boolean;

beforeAll(async () => {
  const { api: adminCall, userId } = await adminApi(gateway);
  api = adminCall;
  const { user } = await api<{ user: { organisationId: string } }>("/me");
  captureContent =
    (await api<{ captureContent?: boolean }>("/organisation")).captureContent === true;
  const now = Date.now();
  const day = background(user.organisationId, userId, now);
  const conv = conversation(user.organisationId, userId, now);
  conversationIds = conv.ids;
  storeRows(
    [
      insertSql("llm_requests", [...day.rows, ...conv.llm]),
      insertSql("mcp_tool_calls", conv.tools),
      insertSql("llm_payloads", [conv.payload]),
    ].join("\n"),
  );
  const byOutcome: Record<string, number> = {};
  for (const o of [...day.outcomes, "ok", "ok", "ok"]) byOutcome[o] = (byOutcome[o] ?? 0) + 1;
  expected = { total: day.rows.length + conv.llm.length, byOutcome, haiku: day.rows.length };
  // The gateway reads the same database: wait until it sees them all.
  await vi.waitFor(
    async () => {
      const s = await api<ObservabilitySummary>(
        `/observability/summary?agentId=${encodeURIComponent(AGENT)}`,
      );
      if (s.requests.totals.total !== expected.total) {
        throw new Error(`the gateway sees ${s.requests.totals.total} of ${expected.total} rows`);
      }
    },
    { timeout: WAIT_MS, interval: 250 },
  );
  browser = await launchBrowser();
}, HOOK_MS);

afterAll(async () => {
  await browser?.close();
}, HOOK_MS);

const tile = (page: Page, label: string): Locator =>
  page
    .locator(".obs-stats .stat")
    .filter({ has: page.getByText(label, { exact: true }) })
    .locator(".stat-value");

/** Waits until the locator holds exactly this text. */
const shows = (locator: Locator, text: string | number) =>
  locator
    .filter({ hasText: new RegExp(`^${String(text).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) })
    .waitFor();
const POLL = { timeout: WAIT_MS, interval: 100 };

const chart = (page: Page, title: string): Locator =>
  page.locator("section.card").filter({ has: page.getByRole("heading", { name: title }) });

async function openObservability(page: Page) {
  await page.goto(`${gateway}/connect`);
  await page.locator("main#main").waitFor();
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Observability", exact: true })
    .click();
  await page.getByRole("heading", { level: 1, name: "Observability", exact: true }).waitFor();
}

describe("Observability dashboard", { timeout: TEST_MS }, () => {
  it("draws the charts from the log, and a filter narrows them", async () => {
    const page = await newPage(browser);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
    await openObservability(page);
    await page.getByRole("button", { name: "24 hours" }).waitFor();
    expect(await page.getByRole("button", { name: "24 hours" }).getAttribute("aria-pressed")).toBe(
      "true",
    );

    await page.getByLabel("Agent").selectOption(AGENT);
    await page.waitForURL((url) => url.searchParams.get("agentId") === AGENT);
    await shows(tile(page, "Requests"), expected.total);

    // Five charts, each drawn.
    for (const title of [
      "Requests by outcome",
      "Latency",
      "Time the gateway added",
      "Output tokens per second",
      "MCP tool calls",
    ]) {
      await chart(page, title).locator(".obs-chart-canvas canvas").first().waitFor();
    }
    // The requests chart's legend holds the range's counts by outcome.
    const legend = chart(page, "Requests by outcome").locator(".obs-legend");
    for (const [label, outcome] of [
      ["OK", "ok"],
      ["Refused by the gateway", "refused"],
      ["Server error", "server_error"],
      ["Client went away", "client_gone"],
    ] as const) {
      await shows(
        legend.locator("li").filter({ hasText: label }).locator("strong"),
        expected.byOutcome[outcome] ?? 0,
      );
    }
    // Errors by type, and the figures behind the latency chart.
    const errors = chart(page, "Errors by type");
    await errors
      .locator("tr", { hasText: "rate_limit_error" })
      .getByText("Refused by the gateway")
      .waitFor();
    await errors.locator("tr", { hasText: "overloaded_error" }).getByText("Server error").waitFor();
    await chart(page, "Latency").getByText("Show the figures").click();
    await chart(page, "Latency").locator("tbody tr").first().waitFor();
    await chart(page, "Latency").getByText("Show the figures").click();
    expect(await horizontalOverflow(page), "the page scrolls sideways").toBeLessThanOrEqual(0);
    await screenshot(page, "observability");

    // A model narrows them further, and the URL keeps both.
    await page.getByLabel("Model").selectOption(HAIKU);
    await page.waitForURL((url) => url.searchParams.get("model") === HAIKU);
    await shows(tile(page, "Requests"), expected.haiku);
    expect(new URL(page.url()).searchParams.get("agentId")).toBe(AGENT);
    const recent = page.locator("tr.obs-request-row");
    await expect.poll(() => recent.count(), POLL).toBe(expected.haiku);
    expect(await recent.filter({ hasText: SONNET }).count()).toBe(0);

    // Reloading the URL shows the same view.
    await page.reload();
    await shows(tile(page, "Requests"), expected.haiku);
    expect(await page.getByLabel("Model").inputValue()).toBe(HAIKU);
    await page.context().close();
  });

  it("says so when a range had no requests", async () => {
    const page = await newPage(browser);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
    const from = Date.UTC(2020, 0, 1);
    await page.goto(`${gateway}/observability?from=${from}&to=${from + 3_600_000}`);
    await page.getByText("No requests in this range").waitFor();
    await page.getByText(/connect Claude Desktop or Claude Code from the/).waitFor();
    expect(await page.locator(".obs-chart-canvas").count()).toBe(0);
    // Back to a range with traffic: the charts return.
    await page.getByRole("button", { name: "24 hours" }).click();
    await page.locator(".obs-chart-canvas canvas").first().waitFor();
    await page.context().close();
  });

  it("fits a 390 px screen, overview and trace", async () => {
    const page = await newPage(browser, NARROW);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
    await page.goto(`${gateway}/observability?agentId=${encodeURIComponent(AGENT)}`);
    await shows(tile(page, "Requests"), expected.total);
    await page.locator(".obs-chart-canvas canvas").first().waitFor();
    expect(await horizontalOverflow(page), "the overview scrolls sideways").toBeLessThanOrEqual(0);
    await page.goto(`${gateway}/observability/requests/${conversationIds[1]}`);
    await page.getByRole("list", { name: "Calls of this trace, in time order" }).waitFor();
    await page.getByText("files__write_file").waitFor();
    expect(await horizontalOverflow(page), "the trace scrolls sideways").toBeLessThanOrEqual(0);
    await screenshot(page, "observability-trace-narrow");
    await page.context().close();
  });

  it("opens a request's trace: its conversation's calls in order, as a waterfall", async () => {
    const page = await newPage(browser);
    await signInThroughPage(page, gateway, ADMIN.email, ADMIN.password);
    await page.goto(
      `${gateway}/observability?agentId=${encodeURIComponent(AGENT)}&model=${encodeURIComponent(SONNET)}`,
    );
    const rows = page.locator("tr.obs-request-row");
    await expect.poll(() => rows.count(), POLL).toBe(3);
    // Newest first: the conversation's second request is the middle row.
    await rows
      .nth(1)
      .getByRole("link", { name: /^Trace/ })
      .click();
    await page.waitForURL((url) => url.pathname.endsWith(`/requests/${conversationIds[1]}`));
    await page.getByRole("heading", { level: 1, name: SONNET }).waitFor();

    const calls = page.getByRole("list", { name: "Calls of this trace, in time order" });
    const items = calls.getByRole("listitem");
    await expect.poll(() => items.count(), POLL).toBe(5);
    const texts = await items.allTextContents();
    expect(texts.map((t) => /^(LLM|Tool)/.exec(t)?.[1])).toEqual([
      "LLM",
      "Tool",
      "LLM",
      "Tool",
      "LLM",
    ]);
    expect(texts[1]).toContain("files__read_file");
    expect(texts[3]).toContain("files__write_file");
    expect(texts[3]).toContain("Tool error");
    // The request itself is the highlighted one, its bar described in words.
    const current = calls.locator('li[aria-current="true"]');
    expect(await current.count()).toBe(1);
    expect(await items.nth(2).getAttribute("aria-current")).toBe("true");
    await current.getByText("This request").waitFor();
    await current.getByText(/first byte after 610 ms · gateway added 11 ms/).waitFor();
    await items
      .nth(0)
      .getByText(/starts at the start · takes 4\.20 s/)
      .waitFor();
    await items
      .nth(4)
      .getByText(/starts \+10\.6 s/)
      .waitFor();
    // Bars share one axis: each starts where its call started.
    const left = async (i: number) =>
      (await items.nth(i).locator(".wf-bar").boundingBox())?.x ?? Number.NaN;
    const lefts = [await left(0), await left(1), await left(2), await left(3), await left(4)];
    expect([...lefts].sort((a, b) => a - b)).toEqual(lefts);
    expect(lefts[4]).toBeGreaterThan(lefts[0] ?? 0);

    // Its captured prompt and completion.
    await page.getByRole("figure").filter({ hasText: "Prompt" }).getByText(PROMPT).waitFor();
    await page
      .getByRole("figure")
      .filter({ hasText: "Completion" })
      .getByText("Revenue grew 12%.")
      .waitFor();
    await screenshot(page, "observability-trace");

    // The first request of the conversation kept no content.
    await items.nth(0).getByRole("link", { name: SONNET }).click();
    await page.waitForURL((url) => url.pathname.endsWith(`/requests/${conversationIds[0]}`));
    await expect.poll(() => calls.locator('li[aria-current="true"]').count(), POLL).toBe(1);
    expect(await items.nth(0).getAttribute("aria-current")).toBe("true");
    await page
      .getByText(
        captureContent ? "No content was captured for this request" : "Content capture is off.",
        { exact: false },
      )
      .waitFor();

    // Back to the overview, with the same filters.
    await page.locator("a.back-link", { hasText: "Observability" }).click();
    await page.waitForURL((url) => url.pathname === "/observability");
    expect(new URL(page.url()).searchParams.get("model")).toBe(SONNET);
    await page.context().close();
  });
});
