// Provider keys (the secret goes in and never comes out) and LLM proxies (defaults, base URLs,
// validation).
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { expectApiError, expectFieldError, otherOrganisation } from "./api-helpers";
import { type Admin, admin, ORIGIN } from "./helpers";

const SECRET = "sk-ant-api03-resources-test-secret-WXYZ";

interface ProviderKey {
  id: string;
  name: string;
  provider: string;
  secretLast4: string;
  baseUrl: string | null;
}

interface Proxy {
  id: string;
  name: string;
  providerKeyId: string | null;
  allowedModels: string[] | null;
  isDefault: boolean;
  baseUrl: string;
}

let a: Admin;

beforeAll(async () => {
  a = await admin();
});

async function newProviderKey(name = "Anthropic"): Promise<ProviderKey> {
  return a.json<ProviderKey>("/provider-keys", {
    body: { name, provider: "anthropic", secret: SECRET, baseUrl: env.FAKE_ANTHROPIC_URL },
  });
}

const proxies = async () => (await a.json<{ data: Proxy[] }>("/llm-proxies")).data;

describe("provider keys", () => {
  it("never return the secret, only its last four characters", async () => {
    const res = await a.api("/provider-keys", {
      body: { name: "Main key", provider: "anthropic", secret: SECRET },
    });
    expect(res.status).toBe(201);
    const createdText = await res.text();
    const created = JSON.parse(createdText) as ProviderKey;
    expect(created).toMatchObject({ name: "Main key", provider: "anthropic", secretLast4: "WXYZ" });
    const listText = await (await a.api("/provider-keys")).text();
    expect(JSON.parse(listText).data).toContainEqual(created);
    for (const text of [createdText, listText]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET.slice(0, 16));
      expect(text).not.toMatch(/ciphertext/i);
    }
  });

  it("strip a trailing slash from the base URL", async () => {
    const key = await a.json<ProviderKey>("/provider-keys", {
      body: { name: "Slash", provider: "anthropic", secret: SECRET, baseUrl: "https://x.test/v/" },
    });
    expect(key.baseUrl).toBe("https://x.test/v");
  });

  it("refuse a bad base URL, an unknown provider or a short secret with a 400 naming the field", async () => {
    const valid = { name: "K", provider: "anthropic", secret: SECRET };
    for (const baseUrl of ["not a url", "ftp://files.example.com", "javascript:alert(1)"]) {
      await expectFieldError(
        await a.api("/provider-keys", { body: { ...valid, baseUrl } }),
        "baseUrl",
      );
    }
    await expectFieldError(
      await a.api("/provider-keys", { body: { ...valid, provider: "openai" } }),
      "provider",
    );
    await expectFieldError(
      await a.api("/provider-keys", { body: { ...valid, secret: "short" } }),
      "secret",
    );
    await expectFieldError(await a.api("/provider-keys", { body: { ...valid, name: "" } }), "name");
    const { data } = await a.json<{ data: ProviderKey[] }>("/provider-keys");
    expect(data.map((k) => k.name)).not.toContain("K");
  });

  it("cannot be deleted while a proxy uses it (409), can once the proxy is gone (204)", async () => {
    const pk = await newProviderKey("In use");
    const proxy = await a.json<Proxy>("/llm-proxies", {
      body: { name: "Uses it", providerKeyId: pk.id },
    });
    await expectApiError(
      await a.api(`/provider-keys/${pk.id}`, { method: "DELETE" }),
      409,
      "conflict_error",
      /in use/,
    );
    expect((await a.api(`/llm-proxies/${proxy.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await a.api(`/provider-keys/${pk.id}`, { method: "DELETE" })).status).toBe(204);
    const { data } = await a.json<{ data: ProviderKey[] }>("/provider-keys");
    expect(data.map((k) => k.id)).not.toContain(pk.id);
    await expectApiError(await a.api(`/provider-keys/${pk.id}`, { method: "DELETE" }), 404);
  });

  it("of another organisation are 404 to us, even when in use there", async () => {
    const elsewhere = await otherOrganisation();
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO llm_proxies (id, org_id, name, provider, provider_key_id, is_default, allow_anonymous, created_at, updated_at) VALUES (?, ?, 'Theirs', 'anthropic', ?, 0, 0, ?, ?)",
    )
      .bind(`prx_uses_${elsewhere.orgId}`, elsewhere.orgId, elsewhere.providerKeyId, now, now)
      .run();
    const res = await a.api(`/provider-keys/${elsewhere.providerKeyId}`, { method: "DELETE" });
    await expectApiError(res, 404, "not_found_error");
  });

  it("cannot be deleted while a live virtual key stands for it (409), can once it is revoked", async () => {
    const pk = await newProviderKey("Keyed");
    const vk = await a.json<{ id: string }>("/virtual-keys", {
      body: { name: "uses pk", kind: "standard", providerKeyId: pk.id },
    });
    await expectApiError(await a.api(`/provider-keys/${pk.id}`, { method: "DELETE" }), 409);
    expect((await a.api(`/virtual-keys/${vk.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await a.api(`/provider-keys/${pk.id}`, { method: "DELETE" })).status).toBe(204);
  });
});

describe("LLM proxies", () => {
  // Runs in order: the first proxy of the organisation is made here.
  let first: Proxy;
  let second: Proxy;
  let pk: ProviderKey;

  it("the first proxy becomes the default; its baseUrl is <origin>/v1/anthropic/<id>", async () => {
    pk = await newProviderKey("For proxies");
    expect(await proxies()).toEqual([]);
    const res = await a.api("/llm-proxies", { body: { name: "First", providerKeyId: pk.id } });
    expect(res.status).toBe(201);
    first = (await res.json()) as Proxy;
    expect(first).toMatchObject({ isDefault: true, providerKeyId: pk.id, allowedModels: null });
    expect(first.id).toMatch(/^prx_/);
    expect(first.baseUrl).toBe(`${ORIGIN}/v1/anthropic/${first.id}`);
    expect(await a.json<Proxy>(`/llm-proxies/${first.id}`)).toEqual(first);
  });

  it("a later proxy is not the default unless asked", async () => {
    second = await a.json<Proxy>("/llm-proxies", { body: { name: "Second" } });
    expect(second).toMatchObject({ isDefault: false, providerKeyId: null });
    expect((await proxies()).filter((p) => p.isDefault).map((p) => p.id)).toEqual([first.id]);
  });

  it("making another proxy the default unsets the previous one", async () => {
    const third = await a.json<Proxy>("/llm-proxies", { body: { name: "Third", isDefault: true } });
    expect(third.isDefault).toBe(true);
    expect((await proxies()).filter((p) => p.isDefault).map((p) => p.id)).toEqual([third.id]);
    const patched = await a.json<Proxy>(`/llm-proxies/${second.id}`, {
      method: "PATCH",
      body: { isDefault: true },
    });
    expect(patched.isDefault).toBe(true);
    expect((await proxies()).filter((p) => p.isDefault).map((p) => p.id)).toEqual([second.id]);
  });

  it("PATCH isDefault:false on the default is 400, and it stays the default", async () => {
    await expectFieldError(
      await a.api(`/llm-proxies/${second.id}`, { method: "PATCH", body: { isDefault: false } }),
      "isDefault",
    );
    expect((await a.json<Proxy>(`/llm-proxies/${second.id}`)).isDefault).toBe(true);
  });

  it("refuses a provider key that is unknown or of another organisation (400)", async () => {
    const elsewhere = await otherOrganisation();
    for (const providerKeyId of [elsewhere.providerKeyId, "pk_doesnotexist"]) {
      await expectFieldError(
        await a.api("/llm-proxies", { body: { name: "Bad", providerKeyId } }),
        "providerKeyId",
      );
      await expectFieldError(
        await a.api(`/llm-proxies/${first.id}`, { method: "PATCH", body: { providerKeyId } }),
        "providerKeyId",
      );
    }
    expect((await proxies()).map((p) => p.name)).not.toContain("Bad");
    expect((await a.json<Proxy>(`/llm-proxies/${first.id}`)).providerKeyId).toBe(pk.id);
  });

  it("validates allowed models", async () => {
    for (const allowedModels of [[], [""], ["   "], "claude-haiku-4-5", [42]]) {
      await expectFieldError(
        await a.api("/llm-proxies", { body: { name: "Models", allowedModels } }),
        "allowedModels",
      );
    }
    const list = ["claude-haiku-4-5", "claude-sonnet-4-5"];
    const made = await a.json<Proxy>("/llm-proxies", {
      body: { name: "Models", allowedModels: list },
    });
    expect(made.allowedModels).toEqual(list);
    const cleared = await a.json<Proxy>(`/llm-proxies/${made.id}`, {
      method: "PATCH",
      body: { allowedModels: null },
    });
    expect(cleared.allowedModels).toBeNull();
    expect((await a.json<Proxy>(`/llm-proxies/${made.id}`)).allowedModels).toBeNull();
  });

  it("404 for a proxy that does not exist or belongs to another organisation", async () => {
    const elsewhere = await otherOrganisation();
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO llm_proxies (id, org_id, name, provider, is_default, allow_anonymous, created_at, updated_at) VALUES (?, ?, 'Theirs', 'anthropic', 1, 0, ?, ?)",
    )
      .bind(`prx_${elsewhere.orgId}`, elsewhere.orgId, now, now)
      .run();
    for (const id of ["prx_doesnotexist", `prx_${elsewhere.orgId}`]) {
      await expectApiError(await a.api(`/llm-proxies/${id}`), 404, "not_found_error");
      await expectApiError(
        await a.api(`/llm-proxies/${id}`, { method: "PATCH", body: { name: "Mine now" } }),
        404,
      );
      await expectApiError(await a.api(`/llm-proxies/${id}`, { method: "DELETE" }), 404);
    }
    expect((await proxies()).map((p) => p.id)).not.toContain(`prx_${elsewhere.orgId}`);
  });

  it("deleting the default proxy leaves the organisation a default while proxies remain", async () => {
    const current = (await proxies()).find((p) => p.isDefault);
    expect(current).toBeDefined();
    const res = await a.api(`/llm-proxies/${current?.id}`, { method: "DELETE" });
    // Either refused (make another proxy the default first) or another one takes over.
    if (res.status === 409) return;
    expect(res.status).toBe(204);
    const left = await proxies();
    expect(left.length).toBeGreaterThan(0);
    expect(left.filter((p) => p.isDefault)).toHaveLength(1);
  });
});
