// A client that walks away mid-stream, the way it really happens: its socket closed against the
// gateway as `npm start` runs it, while the provider goes on streaming. One at a time, every
// such request must still leave exactly one log row with the usage the provider reported, and
// give back the budget it reserved.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { type Api, adminApi, providerAndProxy } from "./admin-api";
import { HOOK_MS, TEST_MS, WAIT_MS } from "./waits";

const gateway = inject("gatewayUrl");
const fakeUrl = inject("e2eFakeAnthropicUrl");
const STREAMS = 20;

let api: Api;
let proxyId: string;
let limitId: string;
let keys: Record<string, string>;

interface Row {
  agentId: string | null;
  clientGone: boolean;
  errorType: string | null;
  inputTokens: number;
  outputTokens: number;
}

interface ProviderRecord {
  body: string;
  usage: { input_tokens: number; output_tokens: number } | null;
}

beforeAll(async () => {
  ({ api } = await adminApi(gateway));
  const { proxy } = await providerAndProxy(api, fakeUrl, "Client gone");
  proxyId = proxy.id;
  ({ id: limitId } = await api<{ id: string }>("/limits", {
    name: "Client-gone budget",
    scope: "llm_proxy",
    scopeId: proxyId,
    metric: "cost",
    window: "month",
    amountUsd: 100,
  }));
  const { profile } = await api<{
    profile: {
      inference: { customHeaders: Record<string, string>; credential: { apiKey: string } };
    };
  }>("/connection-setups/claude-desktop", { proxyId });
  keys = {
    "x-api-key": profile.inference.credential.apiKey,
    "x-archestra-virtual-key": profile.inference.customHeaders["X-Archestra-Virtual-Key"] ?? "",
  };
}, HOOK_MS);

afterAll(async () => {
  if (limitId) await api(`/limits/${limitId}`, undefined, "DELETE");
}, HOOK_MS);

/** Streams a long answer and closes the socket once `events` SSE events have arrived. */
function streamAndLeave(tag: string, events: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${gateway}/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers: {
        ...keys,
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "x-archestra-agent-id": tag,
      },
    });
    req.on("response", (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
        if (text.split("\n\n").length - 1 >= events) {
          req.destroy();
          resolve();
        }
      });
      res.on("end", () => reject(new Error("the stream ended before the client left")));
    });
    req.on("error", () => {});
    req.end(
      JSON.stringify({
        model: "claude-haiku-4-5-20251001",
        max_tokens: 1024,
        stream: true,
        messages: [{ role: "user", content: `${tag} [fake:drip:40:3]` }],
      }),
    );
  });
}

describe("a client that closes its socket mid-stream", () => {
  it(
    "leaves one row per request with the provider's usage, and no budget held",
    async () => {
      const run = `gone-${Date.now().toString(36)}`;
      const tags = Array.from({ length: STREAMS }, (_, i) => `${run}-${i}`);
      for (const tag of tags) await streamAndLeave(tag, 4);

      const rows = await vi.waitFor(
        async () => {
          const { data } = await api<{ data: Row[] }>(`/logs/llm?proxyId=${proxyId}&limit=200`);
          const mine = data.filter((r) => r.agentId?.startsWith(run));
          if (mine.length < STREAMS) throw new Error(`${mine.length} of ${STREAMS} rows so far`);
          return mine;
        },
        { timeout: WAIT_MS, interval: 250 },
      );
      const provider = (await (
        await fetch(`${fakeUrl}/_fake/requests`)
      ).json()) as ProviderRecord[];
      for (const tag of tags) {
        const mine = rows.filter((r) => r.agentId === tag);
        expect(mine, tag).toHaveLength(1);
        const reported = provider.find((p) => p.body.includes(`${tag} `))?.usage;
        expect(mine[0], tag).toMatchObject({
          inputTokens: reported?.input_tokens ?? -1,
          outputTokens: reported?.output_tokens ?? -1,
        });
      }
      const { usage } = await api<{ usage: { reserved: number } | null }>(`/limits/${limitId}`);
      expect(usage?.reserved).toBe(0);
    },
    TEST_MS,
  );
});
