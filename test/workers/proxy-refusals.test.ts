// Every bad input and fault of the proxy, each answered in Anthropic's error shape.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { mintKey } from "../../workers/api/virtual-keys/mint";
import {
  type Admin,
  admin,
  call,
  createUser,
  FAKE_PROVIDER_KEY,
  FAKE_SUBSCRIPTION_TOKEN,
  fakeRequests,
  profileFor,
  profileHeaders,
  proxyWithKey,
  resetFake,
} from "./helpers";
import { loggedRow } from "./logs";

let a: Admin;
let proxyId: string;
let standardKey: string;
let passthroughKey: string;

const base = { "anthropic-version": "2023-06-01", "content-type": "application/json" };
const body = (text = "hi", extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    model: "claude-haiku-4-5-20251001",
    max_tokens: 8,
    messages: [{ role: "user", content: text }],
    ...extra,
  });

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
  ({ standardKey, passthroughKey } = await profileHeaders(a, proxyId));
});

async function send(headers: Record<string, string>, payload: BodyInit = body(), path = proxyId) {
  const res = await call(`/v1/anthropic/${path}/v1/messages`, {
    method: "POST",
    headers: { ...base, ...headers },
    body: payload,
  });
  const json = (await res.json()) as { type: string; error: { type: string; message: string } };
  return { status: res.status, json, headers: res.headers };
}

function expectError(
  r: Awaited<ReturnType<typeof send>>,
  status: number,
  type: string,
  message?: RegExp,
) {
  expect(r.status).toBe(status);
  expect(r.json.type).toBe("error");
  expect(r.json.error.type).toBe(type);
  if (message) expect(r.json.error.message).toMatch(message);
  expect(JSON.stringify(r.json)).not.toContain(FAKE_PROVIDER_KEY);
}

describe("credentials", () => {
  it("401 without any key", async () => {
    expectError(await send({}), 401, "authentication_error", /Missing API key/);
  });

  it("401 for a malformed Authorization header", async () => {
    expectError(await send({ authorization: "Token abc" }), 401, "authentication_error");
  });

  it("401 for an unknown virtual key, in either header", async () => {
    const unknown = `arch_${"x".repeat(43)}`;
    expectError(await send({ "x-api-key": unknown }), 401, "authentication_error");
    expectError(await send({ authorization: `Bearer ${unknown}` }), 401, "authentication_error");
    expectError(
      await send({ "x-api-key": standardKey, "x-archestra-virtual-key": unknown }),
      401,
      "authentication_error",
    );
  });

  it("accepts the standard key as Bearer too", async () => {
    const r = await send({ authorization: `Bearer ${standardKey}` });
    expect(r.status).toBe(200);
  });

  it("400 for a passthrough key used as the API key", async () => {
    expectError(
      await send({ authorization: `Bearer ${passthroughKey}` }),
      400,
      "invalid_request_error",
      /passthrough key/,
    );
  });

  it("400 for a standard key in X-Archestra-Virtual-Key", async () => {
    expectError(
      await send({ "x-api-key": standardKey, "x-archestra-virtual-key": standardKey }),
      400,
      "invalid_request_error",
      /standard key/,
    );
  });

  it("401 for a direct provider credential without a passthrough key", async () => {
    expectError(await send({ "x-api-key": FAKE_PROVIDER_KEY }), 401, "authentication_error");
  });

  it("forwards a direct credential as is, attributed by the passthrough key", async () => {
    await resetFake();
    const r = await send({
      authorization: `Bearer ${FAKE_SUBSCRIPTION_TOKEN}`,
      "x-archestra-virtual-key": passthroughKey,
    });
    expect(r.status).toBe(200);
    const [seen] = await fakeRequests();
    expect(seen?.headers.authorization).toBe(`Bearer ${FAKE_SUBSCRIPTION_TOKEN}`);
    expect(seen?.headers["x-api-key"]).toBeUndefined();
    const { row } = await loggedRow(a, `user:${a.userId}`, (r) => r.credential === "direct");
    expect(row).toMatchObject({
      userId: a.userId,
      billingMode: "subscription",
      virtualKeyId: null,
    });
  });

  it("401 for an expired key", async () => {
    const expiring = await a.json<{ token: string; id: string }>("/virtual-keys", {
      body: { name: "short", kind: "passthrough", expiresAt: Date.now() + 400 },
    });
    expect(
      (await send({ "x-api-key": standardKey, "x-archestra-virtual-key": expiring.token })).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 450)); // the key's own expiry, not a sync wait
    expectError(
      await send({ "x-api-key": standardKey, "x-archestra-virtual-key": expiring.token }),
      401,
      "authentication_error",
      /expired/,
    );
  });

  it("403 when the passthrough key's owner belongs to another organisation", async () => {
    const outsider = await outsiderPassthroughKey();
    expectError(
      await send({ "x-api-key": standardKey, "x-archestra-virtual-key": outsider }),
      403,
      "permission_error",
    );
  });
});

describe("revocation", () => {
  it("makes the very next request fail with 401", async () => {
    const member = await createUser(a, "rev@acme.test");
    const { profile } = await profileFor(member, proxyId);
    const headers = {
      "x-api-key": profile.inference.credential.apiKey,
      "x-archestra-virtual-key": profile.inference.customHeaders["X-Archestra-Virtual-Key"] ?? "",
    };
    expect((await send(headers)).status).toBe(200);
    const { data } = await member.json<{ data: { id: string; kind: string }[] }>("/virtual-keys");
    const passthrough = data.find((k) => k.kind === "passthrough");
    expect(
      (await member.api(`/virtual-keys/${passthrough?.id}`, { method: "DELETE" })).status,
    ).toBe(204);
    expectError(await send(headers), 401, "authentication_error", /revoked/);
  });
});

describe("request shape", () => {
  const auth = () => ({ "x-api-key": standardKey, "x-archestra-virtual-key": passthroughKey });

  it("404 for an unknown proxy", async () => {
    expectError(await send(auth(), body(), "prx_doesnotexist"), 404, "not_found_error");
  });

  it("400 for malformed JSON", async () => {
    expectError(await send(auth(), "{nope"), 400, "invalid_request_error", /not valid JSON/);
  });

  it("400 naming the field for a body that is not a Messages request", async () => {
    const r = await send(auth(), JSON.stringify({ model: "claude-haiku-4-5", messages: [] }));
    expectError(r, 400, "invalid_request_error", /max_tokens/);
  });

  it("413 for a body over the size limit", async () => {
    const huge = body("x".repeat(Number(env.MAX_REQUEST_BYTES) + 10));
    expectError(await send(auth(), huge), 413, "request_too_large");
  });

  it("403 for a model the proxy does not allow", async () => {
    const narrow = await proxyWithKey(a, {
      name: "Haiku only",
      allowedModels: ["claude-haiku-4-5"],
    });
    const r = await send(auth(), body("hi", { model: "claude-opus-4-5-20251101" }), narrow.proxyId);
    // Keys are Connection keys of the first proxy, but any org proxy accepts them.
    expectError(r, 403, "permission_error", /not allowed/);
    expect((await send(auth(), body(), narrow.proxyId)).status).toBe(200);
  });
});

describe("upstream faults", () => {
  const auth = () => ({ "x-api-key": standardKey, "x-archestra-virtual-key": passthroughKey });

  it("passes upstream error bodies through unmodified", async () => {
    const r = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers: { ...base, ...auth() },
      body: body("[fake:status:529]"),
    });
    const direct = await fetch(`${env.FAKE_ANTHROPIC_URL}/v1/messages`, {
      method: "POST",
      headers: { ...base, "x-api-key": FAKE_PROVIDER_KEY },
      body: body("[fake:status:529]"),
    });
    expect(r.status).toBe(529);
    expect(await r.text()).toBe(await direct.text());
  });

  it("502 api_error when the provider is unreachable", async () => {
    const pk = await a.json<{ id: string }>("/provider-keys", {
      body: {
        name: "Nowhere",
        provider: "anthropic",
        secret: FAKE_PROVIDER_KEY,
        baseUrl: "http://127.0.0.1:9",
      },
    });
    const dead = await a.json<{ id: string }>("/llm-proxies", {
      body: { name: "Dead", providerKeyId: pk.id },
    });
    const { profile } = await profileFor(a, dead.id);
    const r = await send(
      {
        "x-api-key": profile.inference.credential.apiKey,
        "x-archestra-virtual-key": profile.inference.customHeaders["X-Archestra-Virtual-Key"] ?? "",
      },
      body(),
      dead.id,
    );
    expectError(r, 502, "api_error", /could not reach/);
  });

  it("504 timeout_error when the provider does not answer in time", async () => {
    expectError(await send(auth(), body("[fake:hang]")), 504, "timeout_error");
  });
});

/** A passthrough key of a user in a second organisation, made straight in the database. */
async function outsiderPassthroughKey(): Promise<string> {
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO organisations (id, name, created_at) VALUES ('org_other', 'Other', ?)",
    ).bind(now),
    env.DB.prepare(
      "INSERT INTO users (id, org_id, email, name, role, status, created_at) VALUES ('usr_other', 'org_other', 'eve@other.test', 'Eve', 'member', 'active', ?)",
    ).bind(now),
  ]);
  const minted = await mintKey(env, {
    orgId: "org_other",
    name: "outsider",
    kind: "passthrough",
    ownerUserId: "usr_other",
    providerKeyId: null,
    createdBy: "usr_other",
  });
  if (!minted) throw new Error("could not mint");
  return minted.token;
}
