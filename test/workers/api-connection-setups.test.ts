// The Connect flow: the Claude Desktop profile and its two Connection keys per user and proxy.
// Tests in this file run in order: the first ones need an organisation without any proxy.
import { beforeAll, describe, expect, it } from "vitest";
import { expectApiError, rows } from "./api-helpers";
import {
  type Admin,
  admin,
  type apiClient,
  call,
  createUser,
  ORIGIN,
  proxyWithKey,
} from "./helpers";

type Client = ReturnType<typeof apiClient>;

interface Profile {
  $schemaVersion: number;
  inference: {
    provider: string;
    baseUrl: string;
    customHeaders: Record<string, string>;
    credential: { kind: string; apiKey: string };
  };
  mcp?: unknown;
}

interface Download {
  fileName: string;
  contentType: string;
  content: string;
  profile: Profile;
  preview: Profile;
  warning: string;
}

interface Key {
  id: string;
  name: string;
  kind: "standard" | "passthrough";
  ownerUserId: string;
  prefix: string;
  connectionProxyId: string | null;
  status: string;
}

const MASK = "••••••••••••••••••••";
let a: Admin;

beforeAll(async () => {
  a = await admin();
});

function download(client: Client, body: Record<string, unknown> = {}) {
  return client.api("/connection-setups/claude-desktop", { body });
}

async function profileOf(client: Client, proxyId: string): Promise<Download> {
  const res = await download(client, { proxyId });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return (await res.json()) as Download;
}

const keysOf = (d: Download) => ({
  standard: d.profile.inference.credential.apiKey,
  passthrough: d.profile.inference.customHeaders["X-Archestra-Virtual-Key"] ?? "",
});

async function connectionKeys(client: Client, proxyId: string, includeRevoked = false) {
  const { data } = await client.json<{ data: Key[] }>(
    `/virtual-keys?includeRevoked=${includeRevoked}`,
  );
  return data.filter((k) => k.connectionProxyId === proxyId);
}

describe("before there is a usable proxy", () => {
  it("404 with a message saying an admin must create a proxy", async () => {
    await expectApiError(await download(a), 404, "not_found_error", /no LLM proxy.*admin/i);
    await expectApiError(
      await a.api("/connection-setups/keys", { body: {} }),
      404,
      "not_found_error",
      /no LLM proxy/i,
    );
  });

  it("409 for a proxy without a provider key, saying an admin must add one; no key is made", async () => {
    const proxy = await a.json<{ id: string }>("/llm-proxies", { body: { name: "Keyless" } });
    const body = await expectApiError(
      await download(a, { proxyId: proxy.id }),
      409,
      "conflict_error",
    );
    expect(body.error.message).toMatch(/admin must add/i);
    expect(body.error.message).toMatch(/provider key/i);
    expect(await connectionKeys(a, proxy.id, true)).toEqual([]);
    expect((await a.api(`/llm-proxies/${proxy.id}`, { method: "DELETE" })).status).toBe(204);
  });

  it("404 for an unknown proxy id", async () => {
    await expectApiError(await download(a, { proxyId: "prx_nope" }), 404, "not_found_error");
  });
});

describe("the Claude Desktop profile", () => {
  let proxyId: string;
  let first: Download;

  beforeAll(async () => {
    ({ proxyId } = await proxyWithKey(a));
    first = await profileOf(a, proxyId);
  });

  it("is exactly the DESIGN.md shape, inference-only, pretty-printed in content", () => {
    const { standard, passthrough } = keysOf(first);
    expect(first.profile).toStrictEqual({
      $schemaVersion: 2,
      inference: {
        provider: "gateway",
        baseUrl: `${ORIGIN}/v1/anthropic/${proxyId}`,
        customHeaders: {
          "X-Archestra-Agent-Id": "anthropic_claude_desktop",
          "X-Archestra-Virtual-Key": passthrough,
        },
        credential: { kind: "static", apiKey: standard },
      },
    });
    expect("mcp" in first.profile).toBe(false);
    expect(standard).toMatch(/^arch_[A-Za-z0-9_-]{43,}$/);
    expect(passthrough).toMatch(/^arch_[A-Za-z0-9_-]{43,}$/);
    expect(standard).not.toBe(passthrough);
    expect(first.content).toBe(`${JSON.stringify(first.profile, null, 2)}\n`);
    expect(first.contentType).toBe("application/json");
    expect(first.fileName).toMatch(/^archestra_con_[A-Za-z0-9_-]{32}$/);
  });

  it("masks both secrets in the preview and keeps the agent id visible", () => {
    const { standard, passthrough } = keysOf(first);
    expect(first.preview).toStrictEqual({
      ...first.profile,
      inference: {
        ...first.profile.inference,
        customHeaders: {
          "X-Archestra-Agent-Id": "anthropic_claude_desktop",
          "X-Archestra-Virtual-Key": MASK,
        },
        credential: { kind: "static", apiKey: MASK },
      },
    });
    const preview = JSON.stringify(first.preview);
    expect(preview).not.toContain(standard);
    expect(preview).not.toContain(passthrough);
    expect(preview).not.toContain(standard.slice(5, 20));
    expect(first.warning).toMatch(/plain text/i);
  });

  it("reuses the same two keys on a repeat download, with a new file name", async () => {
    const again = await profileOf(a, proxyId);
    expect(keysOf(again)).toEqual(keysOf(first));
    expect(again.fileName).not.toBe(first.fileName);
    // The default proxy is used when no proxy is named.
    const byDefault = (await (await download(a)).json()) as Download;
    expect(keysOf(byDefault)).toEqual(keysOf(first));
  });

  it("names the keys after the user and lists them with the right kinds", async () => {
    const { standard, passthrough } = keysOf(first);
    const keys = await connectionKeys(a, proxyId);
    expect(keys.map((k) => [k.kind, k.name, k.prefix]).sort()).toEqual([
      ["passthrough", "Connection passthrough — ada@acme.test", passthrough.slice(0, 13)],
      ["standard", "Connection setup — ada@acme.test", standard.slice(0, 13)],
    ]);
  });

  it("20 concurrent first downloads for a fresh user make exactly one key of each kind", async () => {
    const member = await createUser(a, "cora@acme.test");
    const downloads = await Promise.all(
      Array.from({ length: 20 }, () => download(member, { proxyId })),
    );
    const bodies = await Promise.all(
      downloads.map(async (r) => {
        expect(r.status, await r.clone().text()).toBe(200);
        return (await r.json()) as Download;
      }),
    );
    const pairs = new Set(bodies.map((b) => JSON.stringify(keysOf(b))));
    expect(pairs.size).toBe(1);
    const listed = await connectionKeys(member, proxyId, true);
    expect(listed.map((k) => k.kind).sort()).toEqual(["passthrough", "standard"]);
    expect(listed.every((k) => k.status === "active")).toBe(true);
    const stored = await rows<{ kind: string; n: number }>(
      "SELECT kind, COUNT(*) AS n FROM virtual_keys WHERE owner_user_id = ? GROUP BY kind ORDER BY kind",
      member.id,
    );
    expect(stored).toEqual([
      { kind: "passthrough", n: 1 },
      { kind: "standard", n: 1 },
    ]);
  });

  it("an admin can make a member's Connection keys; the member's download uses exactly those", async () => {
    const member = await createUser(a, "dev@acme.test");
    const res = await a.api("/connection-setups/keys", { body: { proxyId, userId: member.id } });
    expect(res.status).toBe(200);
    const made = (await res.json()) as { proxyId: string; standardKey: Key; passthroughKey: Key };
    expect(made.proxyId).toBe(proxyId);
    expect(made.standardKey).toMatchObject({
      ownerUserId: member.id,
      kind: "standard",
      name: "Connection setup — dev@acme.test",
    });
    expect(made.passthroughKey).toMatchObject({ ownerUserId: member.id, kind: "passthrough" });
    expect(JSON.stringify(made)).not.toMatch(/arch_[A-Za-z0-9_-]{43}/);

    const { standard, passthrough } = keysOf(await profileOf(member, proxyId));
    const reveal = (id: string) =>
      member.json<{ token: string }>(`/virtual-keys/${id}/reveal`, { method: "POST" });
    expect((await reveal(made.standardKey.id)).token).toBe(standard);
    expect((await reveal(made.passthroughKey.id)).token).toBe(passthrough);
    expect((await connectionKeys(member, proxyId, true)).length).toBe(2);
  });

  it("after the Connection key is revoked, the next download makes a new one", async () => {
    const member = await createUser(a, "eli@acme.test");
    const before = keysOf(await profileOf(member, proxyId));
    const standardKey = (await connectionKeys(member, proxyId)).find((k) => k.kind === "standard");
    expect(standardKey).toBeDefined();
    const del = await member.api(`/virtual-keys/${standardKey?.id}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    const after = keysOf(await profileOf(member, proxyId));
    expect(after.standard).not.toBe(before.standard);
    expect(after.passthrough).toBe(before.passthrough);
    const live = await connectionKeys(member, proxyId);
    expect(live.map((k) => k.kind).sort()).toEqual(["passthrough", "standard"]);
    expect(live.find((k) => k.kind === "standard")?.prefix).toBe(after.standard.slice(0, 13));
    expect(await profileOf(member, proxyId).then(keysOf)).toEqual(after);
  });

  it("deleting a proxy revokes its Connection keys at once, on every proxy", async () => {
    const member = await createUser(a, "fay@acme.test");
    const { providerKeyId } = await a.json<{ providerKeyId: string }>(`/llm-proxies/${proxyId}`);
    const doomed = await a.json<{ id: string }>("/llm-proxies", {
      body: { name: "Doomed", providerKeyId },
    });
    const { standard, passthrough } = keysOf(await profileOf(member, doomed.id));
    const ask = () =>
      call(`/v1/anthropic/${proxyId}/v1/messages`, {
        method: "POST",
        headers: {
          "x-api-key": standard,
          "x-archestra-virtual-key": passthrough,
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
        },
        body: JSON.stringify({
          model: "claude-haiku-4-5-20251001",
          max_tokens: 8,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
    await (await ask()).text();
    expect((await a.api(`/llm-proxies/${doomed.id}`, { method: "DELETE" })).status).toBe(204);
    const keys = await connectionKeys(member, doomed.id, true);
    expect(keys.map((k) => k.status)).toEqual(["revoked", "revoked"]);
    // DESIGN.md: "Revocation is immediate: the next request with a revoked key gets 401."
    const res = await ask();
    expect(res.status, await res.clone().text()).toBe(401);
  });
});
