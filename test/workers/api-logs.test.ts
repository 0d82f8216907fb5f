// GET /api/logs/llm after real proxied requests: order, keyset pagination, filters, bad input.
import { beforeAll, describe, expect, it } from "vitest";
import { expectFieldError } from "./api-helpers";
import { type Admin, admin, call, createUser, profileFor, proxyWithKey } from "./helpers";
import { type LogRow, loggedRow } from "./logs";

const HAIKU = "claude-haiku-4-5-20251001";
const SONNET = "claude-sonnet-4-5-20250929";
const DESKTOP = "anthropic_claude_desktop";
const CODE = "anthropic_claude_code";

interface Sent {
  user: "admin" | "member";
  model: string;
  agent: string;
  status: number;
}

// Each request differs from the others in user, model, agent or status.
const PLAN: Sent[] = [
  { user: "admin", model: HAIKU, agent: DESKTOP, status: 200 },
  { user: "admin", model: SONNET, agent: CODE, status: 200 },
  { user: "member", model: HAIKU, agent: DESKTOP, status: 200 },
  { user: "admin", model: HAIKU, agent: DESKTOP, status: 429 },
  { user: "member", model: SONNET, agent: CODE, status: 200 },
  { user: "admin", model: SONNET, agent: DESKTOP, status: 200 },
];

let a: Admin;
let memberId: string;
/** The logged row of each PLAN entry, in the order sent. */
const logged: LogRow[] = [];

beforeAll(async () => {
  a = await admin();
  const { proxyId } = await proxyWithKey(a);
  const member = await createUser(a, "lou@acme.test");
  memberId = member.id;
  const headersOf = async (client: typeof a | typeof member) => {
    const { profile } = await profileFor(client, proxyId);
    // The agent id is set per request below, in place of the profile's.
    const { "X-Archestra-Agent-Id": _agent, ...custom } = profile.inference.customHeaders;
    return {
      "x-api-key": profile.inference.credential.apiKey,
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
      ...custom,
    };
  };
  const headers = { admin: await headersOf(a), member: await headersOf(member) };
  for (const sent of PLAN) {
    const text = sent.status === 200 ? "hi" : `[fake:status:${sent.status}]`;
    const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers: { ...headers[sent.user], "X-Archestra-Agent-Id": sent.agent },
      body: JSON.stringify({
        model: sent.model,
        max_tokens: 8,
        messages: [{ role: "user", content: text }],
      }),
    });
    await res.text();
    expect(res.status).toBe(sent.status);
    const userId = sent.user === "admin" ? a.userId : memberId;
    const seen = new Set(logged.map((r) => r.id));
    const { row } = await loggedRow(a, `user:${userId}`, (r) => !seen.has(r.id));
    logged.push(row);
  }
});

type Page = { data: LogRow[]; nextCursor: string | null };
const page = (query: string) => a.json<Page>(`/logs/llm${query}`);
const ids = (rows: readonly LogRow[]) => rows.map((r) => r.id);
const newestFirst = (rows: readonly LogRow[]) => ids([...rows].reverse());

describe("the LLM request log", () => {
  it("holds one row per request, each as sent, newest first", async () => {
    PLAN.forEach((sent, i) => {
      expect(logged[i]).toMatchObject({
        userId: sent.user === "admin" ? a.userId : memberId,
        model: sent.model,
        agentId: sent.agent,
        status: sent.status,
      });
    });
    const { data, nextCursor } = await page("");
    expect(ids(data)).toEqual(newestFirst(logged));
    expect(nextCursor).toBeNull();
    for (let i = 1; i < data.length; i++) {
      expect(data[i - 1]?.createdAt).toBeGreaterThanOrEqual(data[i]?.createdAt ?? Infinity);
    }
  });

  it("walks every row exactly once with limit and nextCursor", async () => {
    for (const limit of [1, 2, 4, 6]) {
      const walked: LogRow[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const p: Page = await page(query);
        expect(p.data.length).toBeLessThanOrEqual(limit);
        walked.push(...p.data);
        cursor = p.nextCursor;
        pages++;
        expect(pages).toBeLessThanOrEqual(PLAN.length + 1);
      } while (cursor);
      expect(ids(walked)).toEqual(newestFirst(logged));
      expect(new Set(ids(walked)).size).toBe(walked.length);
      expect(pages).toBe(Math.ceil(PLAN.length / limit));
    }
  });

  it("filters by user", async () => {
    const { data } = await page(`?userId=${memberId}`);
    expect(ids(data)).toEqual(newestFirst(logged.filter((r) => r.userId === memberId)));
    expect(data.every((r) => r.userEmail === "lou@acme.test")).toBe(true);
    expect((await page("?userId=usr_nobody")).data).toEqual([]);
  });

  it("filters by model", async () => {
    const { data } = await page(`?model=${SONNET}`);
    expect(ids(data)).toEqual(newestFirst(logged.filter((r) => r.model === SONNET)));
    expect(data).toHaveLength(3);
  });

  it("filters by status", async () => {
    const { data } = await page("?status=429");
    expect(ids(data)).toEqual([logged[3]?.id]);
    expect((await page("?status=200")).data).toHaveLength(5);
  });

  it("filters by agent", async () => {
    const { data } = await page(`?agentId=${CODE}`);
    expect(ids(data)).toEqual(newestFirst(logged.filter((r) => r.agentId === CODE)));
    expect(data).toHaveLength(2);
  });

  it("filters by time, in epoch ms or ISO 8601, both ends inclusive", async () => {
    const from = logged[2]?.createdAt ?? 0;
    const to = logged[4]?.createdAt ?? 0;
    expect(from).toBeLessThan(to);
    const expected = newestFirst(logged.filter((r) => r.createdAt >= from && r.createdAt <= to));
    expect(expected).toHaveLength(3);
    expect(ids((await page(`?from=${from}&to=${to}`)).data)).toEqual(expected);
    const iso = (t: number) => encodeURIComponent(new Date(t).toISOString());
    expect(ids((await page(`?from=${iso(from)}&to=${iso(to)}`)).data)).toEqual(expected);
    expect((await page(`?from=${to + 1}`)).data.length).toBe(1);
  });

  it("combines filters with pagination", async () => {
    const first = await page(`?userId=${a.userId}&limit=2`);
    const wanted = newestFirst(logged.filter((r) => r.userId === a.userId));
    expect(ids(first.data)).toEqual(wanted.slice(0, 2));
    const cursor = encodeURIComponent(first.nextCursor ?? "");
    const second = await page(`?userId=${a.userId}&limit=2&cursor=${cursor}`);
    expect(ids(second.data)).toEqual(wanted.slice(2, 4));
  });

  it("refuses a cursor it did not give out (400)", async () => {
    for (const cursor of ["not-a-cursor!", btoa("garbage"), btoa("12.5:req_x"), btoa("123:")]) {
      await expectFieldError(
        await a.api(`/logs/llm?cursor=${encodeURIComponent(cursor)}`),
        "cursor",
      );
    }
  });

  it("refuses an out-of-range limit and malformed filters (400)", async () => {
    for (const limit of ["0", "-1", "201", "ten", "1.5"]) {
      await expectFieldError(await a.api(`/logs/llm?limit=${limit}`), "limit");
    }
    await expectFieldError(await a.api("/logs/llm?status=ok"), "status");
    await expectFieldError(await a.api("/logs/llm?from=yesterday"), "from");
  });
});
