// The organisation's config_revision: D1 triggers bump it on every write to what the hot path
// caches, so an isolate reuses its cached records while it has not moved (one read per
// organisation every few seconds) and picks up a change made anywhere else.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../workers/index";
import { TELEMETRY_QUEUE } from "../../workers/telemetry/consume";

import { type Admin, admin, call, profileHeaders, proxyWithKey } from "./helpers";
import { llmMessage, llmRow } from "./telemetry-rows";

let a: Admin;
let proxyId: string;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
});

async function revision(): Promise<number> {
  const row = await env.DB.prepare("SELECT config_revision AS r FROM organisations WHERE id = ?")
    .bind(a.orgId)
    .first<{ r: number }>();
  return row?.r ?? -1;
}

describe("config_revision", () => {
  it("moves with every write the proxy caches, and not with a key's last-used time", async () => {
    const writes: [string, () => Promise<unknown>][] = [
      [
        "a virtual key",
        () => a.json("/virtual-keys", { body: { name: "k", kind: "passthrough" } }),
      ],
      [
        "a proxy's models",
        () =>
          a.json(`/llm-proxies/${proxyId}`, {
            method: "PATCH",
            body: { allowedModels: ["claude-*"] },
          }),
      ],
      [
        "a team membership",
        async () => {
          const team = await a.json<{ id: string }>("/teams", { body: { name: "Revision team" } });
          await a.json(`/teams/${team.id}/members`, { body: { userId: a.userId } });
        },
      ],
      [
        "a limit",
        () =>
          a.json("/limits", {
            body: {
              name: "R",
              scope: "organisation",
              metric: "requests",
              window: "minute",
              amount: 1000,
            },
          }),
      ],
      [
        "the time zone",
        () => a.json("/organisation", { method: "PATCH", body: { timeZone: "Europe/Paris" } }),
      ],
    ];
    for (const [what, write] of writes) {
      const before = await revision();
      await write();
      expect(await revision(), what).toBeGreaterThan(before);
    }

    const { id: keyId } = await a.json<{ id: string }>("/virtual-keys", {
      body: { name: "touched", kind: "passthrough" },
    });
    const before = await revision();
    const at = Date.now();
    const batch = createMessageBatch(TELEMETRY_QUEUE, [
      {
        id: "msg-revision",
        timestamp: new Date(),
        attempts: 1,
        body: llmMessage(
          llmRow("req_revision", {
            orgId: a.orgId,
            createdAt: at,
            proxyId,
            passthroughKeyId: keyId,
          }),
        ),
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["msg-revision"]);
    const touched = await env.DB.prepare("SELECT last_used_at AS t FROM virtual_keys WHERE id = ?")
      .bind(keyId)
      .first<{ t: number }>();
    expect(touched?.t).toBe(at);
    expect(await revision()).toBe(before);
  });

  it("carries a change written elsewhere (another isolate) to this isolate's cached proxy", async () => {
    const { proxyId: id } = await proxyWithKey(a);
    const { headers } = await profileHeaders(a, id);
    const send = () =>
      call(`/v1/anthropic/${id}/v1/messages`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          model: "claude-haiku-4-5-20251001",
          max_tokens: 8,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
    expect((await send()).status).toBe(200);
    // Straight into D1, as another isolate's admin write lands: nothing here is told.
    await env.DB.prepare("UPDATE llm_proxies SET allowed_models = ? WHERE id = ?")
      .bind(JSON.stringify(["claude-opus-*"]), id)
      .run();
    await vi.waitFor(
      async () => {
        const res = await send();
        await res.arrayBuffer();
        expect(res.status).toBe(403);
      },
      { timeout: 20_000, interval: 250 },
    );
  }, 30_000);
});
