// Rotating ENCRYPTION_KEY in place. Secrets of every kind are stored under key A (the test
// Worker's ENCRYPTION_KEY); a Worker run with ENCRYPTION_KEY=B and ENCRYPTION_KEY_PREVIOUS=A
// still uses each of them; POST /api/encryption-key/re-encrypt then seals them all under B, so
// they open under B alone; a second run changes nothing; only admins may run it; and a secret
// that opens under neither key is reported by kind and id, left alone, and stops nothing.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { decryptSecret, encryptSecret, importKeyRing } from "../../shared/crypto";
import { fromBase64Url, randomBytes, toBase64Url, utf8 } from "../../shared/encoding";
import worker from "../../workers/index";
import {
  type Admin,
  admin,
  createUser,
  FAKE_PROVIDER_KEY,
  fakeRequests,
  ORIGIN,
  profileHeaders,
  proxyWithKey,
  resetFake,
} from "./helpers";
import { fakeLog, fakeTenant } from "./mcp-helpers";
import { collector, received } from "./otlp-collector";

const KEY_A = env.ENCRYPTION_KEY;
const KEY_B = btoa(String.fromCharCode(...randomBytes(32)));
const ONLY_B = { ENCRYPTION_KEY: KEY_B };
const B_THEN_A = { ENCRYPTION_KEY: KEY_B, ENCRYPTION_KEY_PREVIOUS: KEY_A };

const MCP_TOKEN = "mcp-rotation-s3cret-token";
const EXPORTER_SECRET = "otlp-rotation-s3cret-value";
const SSO_SECRET = "oidc-rotation-client-s3cret";
const TENANT = "key-rotation";

/** Every stored ciphertext column, with the data bound into it (as the Worker binds it). */
const COLUMNS = [
  {
    kind: "providerKey",
    sql: "SELECT id, secret_ciphertext AS c FROM provider_keys",
    ctx: "provider_key:",
  },
  {
    kind: "virtualKey",
    sql: "SELECT id, token_ciphertext AS c FROM virtual_keys",
    ctx: "virtual_key:",
  },
  {
    kind: "mcpServer",
    sql: "SELECT id, auth_ciphertext AS c FROM mcp_servers",
    ctx: "mcp_server:",
  },
  {
    kind: "ssoClientSecret",
    sql: "SELECT org_id AS id, oidc_client_secret AS c FROM sso_settings",
    ctx: "",
  },
  {
    kind: "telemetryExporter",
    sql: "SELECT org_id AS id, headers_ciphertext AS c FROM telemetry_exporters",
    ctx: "telemetry_exporter:",
  },
] as const;

interface Stored {
  kind: string;
  id: string;
  context: string;
  ciphertext: string;
}

async function storedSecrets(): Promise<Stored[]> {
  const all: Stored[] = [];
  for (const col of COLUMNS) {
    const { results } = await env.DB.prepare(`${col.sql} WHERE c IS NOT NULL ORDER BY id`).all<{
      id: string;
      c: string;
    }>();
    for (const r of results) {
      all.push({ kind: col.kind, id: r.id, context: `${col.ctx}${r.id}`, ciphertext: r.c });
    }
  }
  return all;
}

/** A request to the Worker run with these secrets instead of the test configuration's. */
async function withKeys(
  keys: { ENCRYPTION_KEY: string; ENCRYPTION_KEY_PREVIOUS?: string },
  token: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
    { ...env, ...keys } as Env,
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, text };
}

interface ReEncryptAnswer {
  organisationId: string;
  scope: string;
  keyId: string;
  previousKeyId: string | null;
  reEncrypted: Record<string, number>;
  failed: { kind: string; id: string }[];
  more: boolean;
  cursor: string | null;
  remaining: Record<string, number>;
}

/** One pass of re-encryption as the rotate-key command makes it: batches until none remain. */
async function reEncryptAll(keys = B_THEN_A) {
  const answers: ReEncryptAnswer[] = [];
  let cursor: string | undefined;
  do {
    const res = await withKeys(keys, a.token, "/api/encryption-key/re-encrypt", {
      body: { keyId: keyIdB, ...(cursor ? { cursor } : {}) },
    });
    expect(res.status, res.text).toBe(200);
    const answer = JSON.parse(res.text) as ReEncryptAnswer;
    answers.push(answer);
    cursor = answer.cursor ?? undefined;
    expect(answers.length).toBeLessThan(20);
  } while (cursor);
  const total: Record<string, number> = {};
  for (const answer of answers) {
    for (const [kind, n] of Object.entries(answer.reEncrypted))
      total[kind] = (total[kind] ?? 0) + n;
  }
  return { answers, total, last: answers.at(-1) as ReEncryptAnswer };
}

function legacySeal(keyBase64: string, plaintext: string, context: string) {
  return (async () => {
    const key = await crypto.subtle.importKey("raw", fromBase64Url(keyBase64), "AES-GCM", false, [
      "encrypt",
    ]);
    const iv = randomBytes(12);
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: utf8(context) },
      key,
      utf8(plaintext),
    );
    return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
  })();
}

let a: Admin;
let keyIdB: string;
let proxyId: string;
let proxyHeaders: Record<string, string>;
let standardKey: { id: string; token: string };
let mcpServerId: string;

async function proxyRequest(keys: typeof ONLY_B) {
  await resetFake();
  const res = await withKeys(keys, "", `/v1/anthropic/${proxyId}/v1/messages`, {
    body: { model: "claude-haiku-4-5", max_tokens: 1, messages: [{ role: "user", content: "hi" }] },
    headers: proxyHeaders,
  });
  const [seen] = await fakeRequests();
  return { status: res.status, upstreamKey: seen?.headers["x-api-key"] };
}

async function mcpTest(keys: typeof ONLY_B) {
  const res = await withKeys(keys, a.token, `/api/mcp-servers/${mcpServerId}/test`, {
    method: "POST",
  });
  expect(res.status, res.text).toBe(200);
  return JSON.parse(res.text) as { ok: boolean; error: string | null };
}

async function exporterTest(keys: typeof ONLY_B) {
  const res = await withKeys(keys, a.token, "/api/telemetry/exporter/test", { body: {} });
  const ok = res.status === 200 && (JSON.parse(res.text) as { ok: boolean }).ok;
  const got = await received(TENANT);
  const last = got.requests.at(-1);
  return { ok, status: res.status, text: res.text, header: last?.headers["x-rotation"] };
}

/** Moves the MCP server's updatedAt on, so the isolate's decrypted-credential cache misses. */
async function forgetMcpCredentialCache() {
  await env.DB.prepare("UPDATE mcp_servers SET updated_at = updated_at + 1 WHERE id = ?")
    .bind(mcpServerId)
    .run();
}

beforeAll(async () => {
  a = await admin();
  keyIdB = (await importKeyRing(KEY_B)).current.id;
  const made = await proxyWithKey(a);
  proxyId = made.proxyId;
  ({ headers: proxyHeaders } = await profileHeaders(a, proxyId));
  standardKey = await a.json<{ id: string; token: string }>("/virtual-keys", {
    body: { name: "Rotation", kind: "standard", providerKeyId: made.providerKeyId },
  });
  const url = await fakeTenant(TENANT, { requireBearer: MCP_TOKEN });
  const server = await a.json<{ id: string }>("/mcp-servers", {
    body: { name: "rotation", url, auth: { kind: "bearer", token: MCP_TOKEN } },
  });
  mcpServerId = server.id;
  await a.json("/telemetry/exporter", {
    method: "PUT",
    body: {
      protocol: "http/json",
      endpoint: collector(TENANT),
      headers: `X-Rotation: ${EXPORTER_SECRET}`,
      samplingRatio: 1,
    },
  });
  await a.json("/sso", { method: "PATCH", body: { oidcClientSecret: SSO_SECRET } });
  // The SSO secret as a ciphertext from before key ids: opened by trying each key.
  const legacy = await legacySeal(KEY_A, SSO_SECRET, a.orgId);
  await env.DB.prepare("UPDATE sso_settings SET oidc_client_secret = ? WHERE org_id = ?")
    .bind(legacy, a.orgId)
    .run();
  await forgetMcpCredentialCache();
});

describe("a Worker with ENCRYPTION_KEY=B and ENCRYPTION_KEY_PREVIOUS=A", () => {
  it("stores every kind of secret under A to begin with", async () => {
    const stored = await storedSecrets();
    expect(new Set(stored.map((s) => s.kind))).toEqual(new Set(COLUMNS.map((c) => c.kind)));
    const ringA = await importKeyRing(KEY_A);
    for (const s of stored) {
      expect(s.ciphertext.startsWith(`v2.${keyIdB}.`), s.kind).toBe(false);
      await expect(decryptSecret(ringA, s.ciphertext, s.context)).resolves.toBeTypeOf("string");
    }
  });

  it("cannot use them with B alone (so nothing below is served from a cache)", async () => {
    expect((await proxyRequest(ONLY_B)).status).not.toBe(200);
    const reveal = await withKeys(ONLY_B, a.token, `/api/virtual-keys/${standardKey.id}/reveal`, {
      method: "POST",
    });
    expect(reveal.status).not.toBe(200);
    expect(reveal.text).not.toContain(standardKey.token);
    expect((await mcpTest(ONLY_B)).ok).toBe(false);
    expect((await exporterTest(ONLY_B)).ok).toBe(false);
  });

  it("uses each of them with A as the previous key", async () => {
    const proxied = await proxyRequest(B_THEN_A);
    expect(proxied).toEqual({ status: 200, upstreamKey: FAKE_PROVIDER_KEY });

    const reveal = await withKeys(B_THEN_A, a.token, `/api/virtual-keys/${standardKey.id}/reveal`, {
      method: "POST",
    });
    expect(reveal.status, reveal.text).toBe(200);
    expect(JSON.parse(reveal.text)).toMatchObject({ token: standardKey.token });

    await forgetMcpCredentialCache();
    const before = (await fakeLog(TENANT)).length;
    expect(await mcpTest(B_THEN_A)).toMatchObject({ ok: true, error: null });
    const calls = (await fakeLog(TENANT)).slice(before);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.authorization === `Bearer ${MCP_TOKEN}`)).toBe(true);

    const exported = await exporterTest(B_THEN_A);
    expect(exported.ok, exported.text).toBe(true);
    expect(exported.header).toBe(EXPORTER_SECRET);

    // The SSO client secret (a legacy ciphertext without key id) opens with B then A.
    const [sso] = (await storedSecrets()).filter((s) => s.kind === "ssoClientSecret");
    expect(sso?.ciphertext.startsWith("v1.")).toBe(true);
    const ring = await importKeyRing(KEY_B, KEY_A);
    await expect(decryptSecret(ring, sso?.ciphertext ?? "", a.orgId)).resolves.toBe(SSO_SECRET);
  });
  it("names ENCRYPTION_KEY_PREVIOUS when it is set but not a key, never its value", async () => {
    const res = await withKeys(
      { ENCRYPTION_KEY: KEY_B, ENCRYPTION_KEY_PREVIOUS: "c2hvcnQ=" },
      a.token,
      `/api/virtual-keys/${standardKey.id}/reveal`,
      { method: "POST" },
    );
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text).error.message).toMatch(
      /ENCRYPTION_KEY_PREVIOUS secret is not 32 bytes .*wrangler secret put ENCRYPTION_KEY_PREVIOUS/,
    );
    expect(res.text).not.toContain("c2hvcnQ=");
    expect(res.text).not.toContain(KEY_B);
  });
});

describe("POST /api/encryption-key/re-encrypt", () => {
  it("refuses a member, and changes nothing", async () => {
    const member = await createUser(a, "rotation-member@acme.test");
    const before = await storedSecrets();
    const res = await withKeys(B_THEN_A, member.token, "/api/encryption-key/re-encrypt", {
      body: {},
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain("organisation:update");
    expect(await storedSecrets()).toEqual(before);
  });

  it("answers 409 and changes nothing while the Worker does not use the expected key", async () => {
    const before = await storedSecrets();
    const res = await withKeys(
      { ENCRYPTION_KEY: KEY_A },
      a.token,
      "/api/encryption-key/re-encrypt",
      {
        body: { keyId: keyIdB },
      },
    );
    expect(res.status, res.text).toBe(409);
    expect(res.text).toContain(keyIdB);
    expect(await storedSecrets()).toEqual(before);
  });

  it("names the field of a cursor it did not give", async () => {
    const res = await withKeys(B_THEN_A, a.token, "/api/encryption-key/re-encrypt", {
      body: { cursor: "not-a-cursor" },
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain("cursor");
  });

  it("seals every secret under B, which then opens them alone", async () => {
    const before = await storedSecrets();
    const { total, last } = await reEncryptAll();
    const expected: Record<string, number> = {};
    for (const s of before) expected[s.kind] = (expected[s.kind] ?? 0) + 1;
    expect(total).toEqual(expected);
    expect(last).toMatchObject({
      organisationId: a.orgId,
      keyId: keyIdB,
      previousKeyId: (await importKeyRing(KEY_A)).current.id,
      failed: [],
      more: false,
      cursor: null,
    });
    expect(last.scope).toMatch(/organisation/);
    expect(Object.values(last.remaining).every((n) => n === 0)).toBe(true);

    const ringB = await importKeyRing(KEY_B);
    const after = await storedSecrets();
    expect(after.map((s) => s.id)).toEqual(before.map((s) => s.id));
    for (const s of after) {
      expect(s.ciphertext.startsWith(`v2.${keyIdB}.`), s.kind).toBe(true);
      const opened = await decryptSecret(ringB, s.ciphertext, s.context);
      const was = before.find((b) => b.kind === s.kind && b.id === s.id);
      const ringBA = await importKeyRing(KEY_B, KEY_A);
      expect(opened).toBe(await decryptSecret(ringBA, was?.ciphertext ?? "", s.context));
    }

    // And the Worker without the previous key uses them.
    expect(await proxyRequest(ONLY_B)).toEqual({ status: 200, upstreamKey: FAKE_PROVIDER_KEY });
    await forgetMcpCredentialCache();
    expect((await mcpTest(ONLY_B)).ok).toBe(true);
    const exported = await exporterTest(ONLY_B);
    expect(exported.ok, exported.text).toBe(true);
    expect(exported.header).toBe(EXPORTER_SECRET);
  });

  it("changes nothing when run again", async () => {
    const before = await storedSecrets();
    const { total, last } = await reEncryptAll();
    expect(Object.values(total).every((n) => n === 0)).toBe(true);
    expect(last.failed).toEqual([]);
    expect(await storedSecrets()).toEqual(before);
  });

  it("goes in batches, with a cursor, when there are many", async () => {
    const ringA = await importKeyRing(KEY_A);
    const statements: D1PreparedStatement[] = [];
    for (let i = 0; i < 60; i++) {
      const id = `vk_rotation_${String(i).padStart(3, "0")}`;
      const sealed = await encryptSecret(ringA, `gh-vk-${id}`, `virtual_key:${id}`);
      statements.push(
        env.DB.prepare(
          "INSERT INTO virtual_keys (id, org_id, name, kind, owner_user_id, token_hash, token_prefix, token_ciphertext, created_by, created_at) VALUES (?, ?, ?, 'passthrough', ?, ?, 'gh-vk-', ?, ?, ?)",
        ).bind(id, a.orgId, `Batch ${i}`, a.userId, `hash-${id}`, sealed, a.userId, Date.now()),
      );
    }
    await env.DB.batch(statements);
    const { answers, total, last } = await reEncryptAll();
    expect(answers.length).toBeGreaterThan(1);
    expect(answers[0]?.more).toBe(true);
    expect(Object.values(answers[0]?.reEncrypted ?? {}).reduce((x, y) => x + y, 0)).toBe(50);
    expect(total.virtualKey).toBe(60);
    expect(last.remaining.virtualKey).toBe(0);
    for (const s of await storedSecrets())
      expect(s.ciphertext.startsWith(`v2.${keyIdB}.`)).toBe(true);
  });

  it("reports a secret that opens under neither key by kind and id, leaves it, and goes on", async () => {
    const good = await a.json<{ id: string }>("/provider-keys", {
      body: { name: "Under A", provider: "anthropic", secret: FAKE_PROVIDER_KEY },
    });
    const bad = await a.json<{ id: string }>("/provider-keys", {
      body: { name: "Corrupt", provider: "anthropic", secret: FAKE_PROVIDER_KEY },
    });
    const row = await env.DB.prepare(
      "SELECT secret_ciphertext AS c FROM provider_keys WHERE id = ?",
    )
      .bind(bad.id)
      .first<{ c: string }>();
    const parts = (row?.c ?? "").split(".");
    const sealed = parts[3] ?? "";
    const flipped = (sealed[0] === "A" ? "B" : "A") + sealed.slice(1);
    const corrupt = [...parts.slice(0, 3), flipped].join(".");
    await env.DB.prepare("UPDATE provider_keys SET secret_ciphertext = ? WHERE id = ?")
      .bind(corrupt, bad.id)
      .run();

    const { answers, total, last } = await reEncryptAll();
    expect(total.providerKey).toBe(1);
    expect(answers.flatMap((x) => x.failed)).toEqual([{ kind: "providerKey", id: bad.id }]);
    expect(last.remaining.providerKey).toBe(1);
    const text = JSON.stringify(answers);
    expect(text).not.toContain(corrupt);
    expect(text).not.toContain(FAKE_PROVIDER_KEY);
    const stored = await storedSecrets();
    expect(stored.find((s) => s.id === bad.id)?.ciphertext).toBe(corrupt);
    expect(stored.find((s) => s.id === good.id)?.ciphertext.startsWith(`v2.${keyIdB}.`)).toBe(true);

    // Audited, with counts and ids but no value.
    const entries = await vi.waitFor(
      async () => {
        const { results } = await env.DB.prepare(
          "SELECT status, after FROM audit_log WHERE org_id = ? AND action = 'encryptionKey.reEncrypt'",
        )
          .bind(a.orgId)
          .all<{ status: number; after: string | null }>();
        if (!results.some((r) => r.after?.includes(bad.id))) throw new Error("not yet");
        return results;
      },
      { timeout: 5_000, interval: 25 },
    );
    const audit = JSON.stringify(entries);
    expect(audit).not.toContain(FAKE_PROVIDER_KEY);
    expect(audit).not.toContain(MCP_TOKEN);
    expect(audit).not.toContain(corrupt);
  });
});
