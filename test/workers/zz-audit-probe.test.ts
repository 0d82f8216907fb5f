import { env } from "cloudflare:test";
import { expect, it, vi } from "vitest";
import { admin } from "./helpers";
import { rows } from "./api-helpers";

it("probe", async () => {
  const a = await admin();
  const spy = vi.spyOn(env.DB, "prepare");
  const res = await a.api("/llm-proxies");
  console.log("status", res.status, "prepare calls", spy.mock.calls.length);
  const g = vi.spyOn(env.SIGN_IN_GUARD, "idFromName");
  await vi.waitFor(async () => {
    const r = await rows("SELECT action, method, path, status, actor_via, before, after FROM audit_log");
    if (r.length < 2) throw new Error("wait");
    console.log(JSON.stringify(r, null, 1));
  });
  console.log("guard calls", g.mock.calls.length);
  expect(1).toBe(1);
});
