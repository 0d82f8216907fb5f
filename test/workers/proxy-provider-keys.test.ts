// Which real key goes upstream when admins rotate secrets or repoint proxies.
import { env } from "cloudflare:test";
import { beforeAll, expect, it } from "vitest";
import {
  type Admin,
  admin,
  call,
  FAKE_PROVIDER_KEY,
  FAKE_SUBSCRIPTION_TOKEN,
  fakeRequests,
  profileHeaders,
  proxyWithKey,
  resetFake,
} from "./helpers";

let a: Admin;
let proxyId: string;
let providerKeyId: string;
let headers: Record<string, string>;

beforeAll(async () => {
  a = await admin();
  ({ proxyId, providerKeyId } = await proxyWithKey(a));
  ({ headers } = await profileHeaders(a, proxyId));
});

async function keySeenUpstream(): Promise<string | undefined> {
  await resetFake();
  const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      model: "claude-haiku-4-5",
      max_tokens: 1,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  expect(res.status).toBe(200);
  const [seen] = await fakeRequests();
  return seen?.headers["x-api-key"];
}

it("uses a rotated secret on the next request, and never returns it", async () => {
  expect(await keySeenUpstream()).toBe(FAKE_PROVIDER_KEY);
  const res = await a.api(`/provider-keys/${providerKeyId}`, {
    method: "PATCH",
    body: { secret: FAKE_SUBSCRIPTION_TOKEN },
  });
  const text = await res.text();
  expect(res.status).toBe(200);
  expect(text).not.toContain(FAKE_SUBSCRIPTION_TOKEN);
  expect(JSON.parse(text)).toMatchObject({ secretLast4: FAKE_SUBSCRIPTION_TOKEN.slice(-4) });
  expect(await keySeenUpstream()).toBe(FAKE_SUBSCRIPTION_TOKEN);
});

it("makes Connection keys follow their proxy to another provider key", async () => {
  const other = await a.json<{ id: string }>("/provider-keys", {
    body: {
      name: "Second",
      provider: "anthropic",
      secret: FAKE_PROVIDER_KEY,
      baseUrl: env.FAKE_ANTHROPIC_URL,
    },
  });
  await a.json(`/llm-proxies/${proxyId}`, { method: "PATCH", body: { providerKeyId: other.id } });
  expect(await keySeenUpstream()).toBe(FAKE_PROVIDER_KEY);
});
