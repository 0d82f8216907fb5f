// Virtual keys through the admin API: validation, the token's shape, listing by prefix only,
// reveal and revoke, and what D1 holds (hashes and ciphertexts, never a plaintext secret).
import { beforeAll, describe, expect, it } from "vitest";
import {
  expectApiError,
  expectFieldError,
  otherOrganisation,
  rows,
  sha256Hex,
  wholeDatabaseText,
} from "./api-helpers";
import { type Admin, admin, createUser, FAKE_PROVIDER_KEY, proxyWithKey } from "./helpers";

interface Key {
  id: string;
  name: string;
  kind: "standard" | "passthrough";
  ownerUserId: string;
  providerKeyId: string | null;
  prefix: string;
  expiresAt: number | null;
  revokedAt: number | null;
  status: "active" | "revoked" | "expired";
}
type Created = Key & { token: string };

let a: Admin;
let providerKeyId: string;
const tokens: string[] = [];

beforeAll(async () => {
  a = await admin();
  ({ providerKeyId } = await proxyWithKey(a));
});

async function create(body: Record<string, unknown>, client = a): Promise<Created> {
  const res = await client.api("/virtual-keys", { body });
  expect(res.status, await res.clone().text()).toBe(201);
  const key = (await res.json()) as Created;
  tokens.push(key.token);
  return key;
}

const list = async (query = "", client = a) =>
  (await client.json<{ data: Key[] }>(`/virtual-keys${query}`)).data;

describe("creating", () => {
  it("refuses a standard key without a provider key, naming providerKeyId", async () => {
    await expectFieldError(
      await a.api("/virtual-keys", { body: { name: "x", kind: "standard" } }),
      "providerKeyId",
    );
  });

  it("refuses a passthrough key with a provider key", async () => {
    await expectFieldError(
      await a.api("/virtual-keys", { body: { name: "x", kind: "passthrough", providerKeyId } }),
      "providerKeyId",
    );
  });

  it("refuses an expiry in the past, as epoch ms or ISO time", async () => {
    for (const expiresAt of [Date.now() - 60_000, "2020-01-01T00:00:00Z"]) {
      await expectFieldError(
        await a.api("/virtual-keys", { body: { name: "x", kind: "passthrough", expiresAt } }),
        "expiresAt",
      );
    }
  });

  it("refuses an unknown kind, a provider key or owner from elsewhere", async () => {
    await expectFieldError(
      await a.api("/virtual-keys", { body: { name: "x", kind: "admin" } }),
      "kind",
    );
    const elsewhere = await otherOrganisation();
    await expectFieldError(
      await a.api("/virtual-keys", {
        body: { name: "x", kind: "standard", providerKeyId: elsewhere.providerKeyId },
      }),
      "providerKeyId",
    );
    await expectFieldError(
      await a.api("/virtual-keys", {
        body: { name: "x", kind: "passthrough", ownerUserId: elsewhere.userId },
      }),
      "ownerUserId",
    );
    expect((await list()).map((k) => k.name)).not.toContain("x");
  });

  it("returns an arch_ token with at least 256 random bits, once", async () => {
    const expiresAt = Date.now() + 3_600_000;
    const key = await create({ name: "laptop", kind: "standard", providerKeyId, expiresAt });
    expect(key.token).toMatch(/^arch_[A-Za-z0-9_-]{43,}$/);
    expect(key).toMatchObject({
      name: "laptop",
      kind: "standard",
      ownerUserId: a.userId,
      providerKeyId,
      expiresAt,
      revokedAt: null,
      status: "active",
      prefix: key.token.slice(0, 13),
    });
    const other = await create({ name: "laptop 2", kind: "passthrough" });
    expect(other.token).not.toBe(key.token);
    expect(other.providerKeyId).toBeNull();
  });

  it("accepts an ISO expiry and reports it in epoch milliseconds", async () => {
    const when = new Date(Date.now() + 86_400_000);
    when.setMilliseconds(0);
    const key = await create({ name: "iso", kind: "passthrough", expiresAt: when.toISOString() });
    expect(key.expiresAt).toBe(when.getTime());
  });
});

describe("listing, revealing, revoking", () => {
  it("lists the prefix (first 13 characters) but never the token", async () => {
    const key = await create({ name: "listed", kind: "passthrough" });
    const res = await a.api("/virtual-keys");
    const text = await res.text();
    for (const token of tokens) expect(text).not.toContain(token);
    const listed = (JSON.parse(text) as { data: (Key & { token?: string })[] }).data;
    const mine = listed.find((k) => k.id === key.id);
    expect(mine).toMatchObject({ prefix: key.token.slice(0, 13), status: "active" });
    expect(mine?.prefix).toHaveLength(13);
    expect(mine && "token" in mine).toBe(false);
  });

  it("reveals the same token to its owner", async () => {
    const key = await create({ name: "revealed", kind: "standard", providerKeyId });
    const res = await a.api(`/virtual-keys/${key.id}/reveal`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: key.id, token: key.token });
  });

  it("revokes: status revoked, hidden by default, reveal is then 400", async () => {
    const key = await create({ name: "doomed", kind: "passthrough" });
    expect((await a.api(`/virtual-keys/${key.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await list()).map((k) => k.id)).not.toContain(key.id);
    const revoked = (await list("?includeRevoked=true")).find((k) => k.id === key.id);
    expect(revoked?.status).toBe("revoked");
    expect(revoked?.revokedAt).toEqual(expect.any(Number));
    const body = await expectApiError(
      await a.api(`/virtual-keys/${key.id}/reveal`, { method: "POST" }),
      400,
      "invalid_request_error",
      /revoked/,
    );
    expect(JSON.stringify(body)).not.toContain(key.token);
    // Revoking again changes nothing.
    expect((await a.api(`/virtual-keys/${key.id}`, { method: "DELETE" })).status).toBe(204);
    const again = (await list("?includeRevoked=true")).find((k) => k.id === key.id);
    expect(again?.revokedAt).toBe(revoked?.revokedAt);
  });

  it("lets admins filter by owner and kind", async () => {
    const member = await createUser(a, "max@acme.test");
    const theirs = await create({ name: "max's", kind: "passthrough", ownerUserId: member.id });
    await create({ name: "max's std", kind: "standard", providerKeyId, ownerUserId: member.id });
    const byOwner = await list(`?ownerUserId=${member.id}`);
    expect(byOwner.map((k) => k.name).sort()).toEqual(["max's", "max's std"]);
    expect(byOwner.every((k) => k.ownerUserId === member.id)).toBe(true);
    const passthrough = await list(`?ownerUserId=${member.id}&kind=passthrough`);
    expect(passthrough.map((k) => k.id)).toEqual([theirs.id]);
    const everyone = await list();
    expect(new Set(everyone.map((k) => k.ownerUserId))).toEqual(new Set([a.userId, member.id]));
    await expectFieldError(await a.api("/virtual-keys?kind=other"), "kind");
  });

  it("404 for an unknown key", async () => {
    await expectApiError(
      await a.api("/virtual-keys/vk_nope/reveal", { method: "POST" }),
      404,
      "not_found_error",
    );
    await expectApiError(await a.api("/virtual-keys/vk_nope", { method: "DELETE" }), 404);
  });
});

describe("at rest", () => {
  it("D1 holds a SHA-256 hash and a ciphertext of each token, never the token", async () => {
    const key = await create({ name: "at rest", kind: "standard", providerKeyId });
    const [row] = await rows<Record<string, unknown>>(
      "SELECT * FROM virtual_keys WHERE id = ?",
      key.id,
    );
    expect(row).toBeDefined();
    expect(row?.token_hash).toBe(await sha256Hex(key.token));
    expect(row?.token_prefix).toBe(key.token.slice(0, 13));
    expect(typeof row?.token_ciphertext).toBe("string");
    const rowText = JSON.stringify(row);
    expect(rowText).not.toContain(key.token);
    expect(rowText).not.toContain(key.token.slice(13));
  });

  it("no table anywhere holds a plaintext virtual key or provider secret", async () => {
    const all = await wholeDatabaseText();
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) {
      expect(all).not.toContain(token);
      expect(all).not.toContain(token.slice(13));
    }
    const pks = await rows<Record<string, unknown>>("SELECT * FROM provider_keys");
    expect(pks.length).toBeGreaterThan(0);
    expect(JSON.stringify(pks)).not.toContain(FAKE_PROVIDER_KEY);
    expect(JSON.stringify(pks)).not.toContain(FAKE_PROVIDER_KEY.slice(8, -4));
    expect(all).not.toContain(FAKE_PROVIDER_KEY);
    expect(pks.find((r) => r.id === providerKeyId)?.secret_last4).toBe(FAKE_PROVIDER_KEY.slice(-4));
  });
});
