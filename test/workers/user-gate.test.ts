// The gate Durable Object on its own: revocations that outlive the object's in-memory state,
// and log rows an earlier version buffered in its storage (or in an MCP session's), which the
// object's alarm sends through the telemetry queue so an upgrade loses none.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { llmRow, toolRow } from "./telemetry-rows";

const gate = (name: string) => env.USER_GATE.get(env.USER_GATE.idFromName(name));

const row = (id: string) => llmRow(id, { orgId: "org_gate", costMicroUsd: 6 });

describe("log rows an earlier version buffered", () => {
  it("go through the queue into D1 from the alarm, each once, the refused one kept too", async () => {
    const stub = gate("user:upgraded");
    const rows = Array.from({ length: 120 }, (_, i) => row(`req_legacy${i}`));
    await runInDurableObject(stub, async (_, state) => {
      await state.storage.put(Object.fromEntries(rows.map((r) => [`log:${r.id}`, r])));
      // What the old flush set aside because D1 refused it: still owed to somebody.
      await state.storage.put("dead:req_legacy_dead", row("req_legacy_dead"));
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    while (await runDurableObjectAlarm(stub)) {
      // runs until no alarm is left
    }
    await vi.waitFor(
      async () => {
        const stored = await env.DB.prepare(
          "SELECT count(*) AS n FROM llm_requests WHERE id LIKE 'req_legacy%'",
        ).first<{ n: number }>();
        expect(stored?.n).toBe(121);
      },
      { timeout: 10_000, interval: 25 },
    );
    const rollup = await env.DB.prepare(
      "SELECT sum(requests) AS requests, sum(cost_micro_usd) AS cost FROM usage_daily WHERE org_id = 'org_gate'",
    ).first<{ requests: number; cost: number }>();
    expect(rollup).toEqual({ requests: 121, cost: 121 * 6 });
    const left = await runInDurableObject(stub, (_, state) => state.storage.list());
    expect([...left.keys()].filter((k) => !k.startsWith("ledger"))).toEqual([]);
  });
});

describe("tool-call rows an earlier version kept in an MCP session", () => {
  it("go through the queue into D1 from the session's alarm, each once", async () => {
    const session = env.MCP_SESSION.get(env.MCP_SESSION.idFromName("upgraded-session"));
    const rows = Array.from({ length: 60 }, (_, i) => toolRow(`mcc_legacy${i}`));
    await runInDurableObject(session, async (_, state) => {
      await state.storage.put(Object.fromEntries(rows.map((r) => [`log:${r.id}`, r])));
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await runDurableObjectAlarm(session)).toBe(true);
    await vi.waitFor(
      async () => {
        const stored = await env.DB.prepare(
          "SELECT count(*) AS n FROM mcp_tool_calls WHERE id LIKE 'mcc_legacy%'",
        ).first<{ n: number }>();
        expect(stored?.n).toBe(60);
      },
      { timeout: 10_000, interval: 25 },
    );
    const left = await runInDurableObject(session, (_, state) =>
      state.storage.list({ prefix: "log:" }),
    );
    expect(left.size).toBe(0);
  });
});

describe("revocation", () => {
  it("refuses revoked keys, also after the object is rebuilt from storage", async () => {
    const stub = gate("user:revoking");
    expect(await stub.admit({ requestId: "r1", keyIds: ["vk_a", "vk_b"] })).toEqual({
      ok: true,
      views: [],
    });
    await stub.revoke(["vk_b"]);
    expect(await stub.admit({ requestId: "r2", keyIds: ["vk_a"] })).toEqual({
      ok: true,
      views: [],
    });
    expect(await stub.admit({ requestId: "r3", keyIds: ["vk_a", "vk_b"] })).toEqual({
      ok: false,
      revoked: true,
    });
    const stored = await runInDurableObject(stub, (_, state) =>
      state.storage.list({ prefix: "revoked:" }),
    );
    expect([...stored.keys()]).toEqual(["revoked:vk_b"]);
  });
});
