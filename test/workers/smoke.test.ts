import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

it("answers health and unknown routes in the error shape", async () => {
  expect((await SELF.fetch("http://gw.test/healthz")).status).toBe(200);
  const res = await SELF.fetch("http://gw.test/nope");
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
});
