// The LLM proxy's routes go to their own small app; the rest of the surface keeps Hono's
// fastest router, which one incompatible route would silently swap for a slower one.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app, isProxyPath } from "../../workers/app";

describe("routing", () => {
  it("sends only /v1/anthropic/... to the proxy's app", () => {
    expect(isProxyPath("https://gw.test/v1/anthropic/prx_1/v1/messages")).toBe(true);
    expect(isProxyPath("http://127.0.0.1:8787/v1/anthropic/v1/models?limit=5")).toBe(true);
    expect(isProxyPath("https://gw.test/v1/anthropicx/v1/messages")).toBe(false);
    expect(isProxyPath("https://gw.test/v1/anthropic")).toBe(false);
    expect(isProxyPath("https://gw.test/api/logs?next=/v1/anthropic/x")).toBe(false);
    expect(isProxyPath("https://gw.test/v1/mcp/team")).toBe(false);
  });

  it("keeps the rest of the surface on Hono's RegExpRouter", async () => {
    await app.request("/healthz");
    expect((app.router as { name: string }).name).toBe("SmartRouter + RegExpRouter");
  });

  it("answers an unknown proxy route with the gateway's JSON 404 and a request id", async () => {
    const res = await SELF.fetch("http://gw.test/v1/anthropic/prx_x/v1/complete", {
      method: "POST",
    });
    expect(res.status).toBe(404);
    const body = await res.json<{ error: { type: string; message: string } }>();
    expect(body.error).toMatchObject({ type: "not_found_error" });
    expect(body.error.message).toContain("/v1/anthropic/prx_x/v1/complete");
    expect(res.headers.get("request-id")).toMatch(/^req_/);
  });
});
