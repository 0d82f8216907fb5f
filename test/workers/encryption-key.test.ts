// A Worker deployed without its ENCRYPTION_KEY secret, or with one that is not 32 bytes of
// base64: the first request that needs the key gets an answer naming the missing configuration
// and how an operator sets it, never a bare 500 or anything of the key's value.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, expect, it } from "vitest";
import worker from "../../workers/index";
import { type Admin, admin, FAKE_PROVIDER_KEY, ORIGIN } from "./helpers";

let a: Admin;

beforeAll(async () => {
  a = await admin();
});

async function saveProviderKey(encryptionKey: string | undefined) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}/api/provider-keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${a.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "Needs the key",
        provider: "anthropic",
        secret: FAKE_PROVIDER_KEY,
        baseUrl: env.FAKE_ANTHROPIC_URL,
      }),
    }),
    { ...env, ENCRYPTION_KEY: encryptionKey as string },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

for (const [label, value] of [
  ["not set", undefined],
  ["empty", ""],
  ["too short", "c2hvcnQ="],
  ["not base64", "this is not a key at all!"],
] as const) {
  it(`says ENCRYPTION_KEY is missing or malformed when it is ${label}`, async () => {
    const res = await saveProviderKey(value);
    const text = await res.text();
    expect(res.status, text).toBe(500);
    const body = JSON.parse(text) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("api_error");
    expect(body.error.message).toMatch(/ENCRYPTION_KEY/);
    expect(body.error.message).toMatch(/32 bytes/);
    expect(body.error.message).toMatch(/wrangler secret put ENCRYPTION_KEY/);
    expect(text).not.toMatch(/\bat \w+ \(|\.ts:\d+/);
    if (value) expect(text).not.toContain(value);
  });
}

it("saves the same provider key once the key is right", async () => {
  const res = await saveProviderKey(env.ENCRYPTION_KEY);
  expect(res.status, await res.clone().text()).toBe(201);
});
