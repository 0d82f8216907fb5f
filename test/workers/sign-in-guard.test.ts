// Brute-force protection: password sign-in locks per account and per client address, the same
// way whether or not the account exists, lockouts end and grow, a success clears the account;
// and on the proxy, an address guessing virtual keys is refused without touching a good key's
// path or other addresses.
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LOCKOUT_KEY, type SignInGuard } from "../../durable-objects/sign-in-guard";
import type { LockoutState } from "../../shared/lockout";
import { expectApiError, jsonPost, rows } from "./api-helpers";
import {
  type Admin,
  admin,
  call,
  createUser,
  fakeRequests,
  profileHeaders,
  proxyWithKey,
  resetFake,
} from "./helpers";

const PASSWORD = "member password 123";

let a: Admin;

beforeAll(async () => {
  a = await admin();
});

afterEach(() => {
  vi.restoreAllMocks();
});

function login(email: string, password: string, ip?: string) {
  return jsonPost("/api/auth/login", { email, password }, ip ? { "cf-connecting-ip": ip } : {});
}

async function failTimes(email: string, n: number, ip?: string) {
  for (let i = 0; i < n; i++) {
    const res = await login(email, `wrong password ${i}`, ip);
    expect(res.status, `attempt ${i + 1} for ${email}`).toBe(401);
    await res.arrayBuffer();
  }
}

const guard = (key: string) => env.SIGN_IN_GUARD.get(env.SIGN_IN_GUARD.idFromName(key));

/** Moves a guard's clock: every stored time goes `ms` into the past. */
async function age(key: string, ms: number) {
  await runInDurableObject(guard(key), async (_: SignInGuard, state) => {
    const stored = await state.storage.get<{ policy: string; state: LockoutState }>(LOCKOUT_KEY);
    if (!stored) throw new Error(`no lockout state for ${key}`);
    const s = stored.state;
    await state.storage.put(LOCKOUT_KEY, {
      ...stored,
      state: {
        failures: s.failures.map((t) => t - ms),
        lockedUntil: s.lockedUntil ? s.lockedUntil - ms : 0,
        lockouts: s.lockouts,
        lastFailureAt: s.lastFailureAt - ms,
      },
    });
  });
}

async function expectLocked(res: Response, maxSeconds: number) {
  const retryAfter = Number(res.headers.get("retry-after"));
  const body = await expectApiError(res, 429, "rate_limit_error", /Too many failed sign-in/);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  return { message: body.error.message, retryAfter };
}

describe("password sign-in", () => {
  it("locks an account after five wrong passwords, even against the right one", async () => {
    await createUser(a, "lena@acme.test");
    await failTimes("lena@acme.test", 5);
    const locked = await expectLocked(await login("lena@acme.test", PASSWORD), 60);
    expect(locked.retryAfter).toBeGreaterThan(50);
    // The refusal is audited, without the password.
    const entries = await vi.waitFor(
      async () => {
        const found = await rows<{ action: string; status: number }>(
          "SELECT action, status FROM audit_log WHERE actor_email = 'lena@acme.test' AND action LIKE 'auth.login_%'",
        );
        if (found.length < 6) throw new Error("not yet");
        return found;
      },
      { timeout: 5000, interval: 20 },
    );
    expect(entries.filter((e) => e.action === "auth.login_failed")).toHaveLength(5);
    expect(entries.filter((e) => e.action === "auth.login_locked")).toEqual([
      { action: "auth.login_locked", status: 429 },
    ]);
    const everything = JSON.stringify(await rows("SELECT * FROM audit_log"));
    expect(everything).not.toContain("wrong password");
  });

  it("looks the same for an account that does not exist", async () => {
    await createUser(a, "real@acme.test");
    await failTimes("real@acme.test", 5);
    await failTimes("ghost@acme.test", 5);
    const real = await expectLocked(await login("real@acme.test", PASSWORD), 60);
    const ghost = await expectLocked(await login("ghost@acme.test", PASSWORD), 60);
    expect(ghost.message).toBe(real.message);
    expect(Math.abs(ghost.retryAfter - real.retryAfter)).toBeLessThanOrEqual(2);
  });

  it("lets the account in once the lockout has run out, and the next one lasts twice as long", async () => {
    await createUser(a, "kai@acme.test");
    await failTimes("kai@acme.test", 5);
    await expectLocked(await login("kai@acme.test", PASSWORD), 60);
    await age("email:kai@acme.test", 61_000);
    await failTimes("kai@acme.test", 5);
    const second = await expectLocked(await login("kai@acme.test", PASSWORD), 120);
    expect(second.retryAfter).toBeGreaterThan(110);
    await age("email:kai@acme.test", 121_000);
    const ok = await login("kai@acme.test", PASSWORD);
    expect(ok.status).toBe(200);
    // Success wiped the account's record: the next lockout is a one-minute one again.
    await failTimes("kai@acme.test", 5);
    await expectLocked(await login("kai@acme.test", PASSWORD), 60);
  });

  it("clears the count on success, so a person mistyping now and then is never locked", async () => {
    await createUser(a, "tess@acme.test");
    for (let round = 0; round < 3; round++) {
      await failTimes("tess@acme.test", 4);
      const ok = await login("tess@acme.test", PASSWORD);
      expect(ok.status, `round ${round}`).toBe(200);
    }
  });

  it("locks a client address spraying many accounts, and only that address", async () => {
    await createUser(a, "nora@acme.test");
    const sprayer = "203.0.113.7";
    // Four tries each at five accounts: no account reaches its own limit.
    for (const name of ["u1", "u2", "u3", "u4", "u5"]) {
      await failTimes(`${name}@acme.test`, 4, sprayer);
    }
    const locked = await expectLocked(await login("nora@acme.test", PASSWORD, sprayer), 60);
    expect(locked.message).toMatch(/Too many failed sign-in attempts/);
    expect((await login("nora@acme.test", PASSWORD, "198.51.100.20")).status).toBe(200);
  });
});

describe("virtual-key guessing on the proxy", () => {
  it("refuses an address after repeated bad keys, quickly, and leaves others alone", async () => {
    const { proxyId } = await proxyWithKey(a);
    const member = await createUser(a, "guesser-victim@acme.test");
    const { headers } = await profileHeaders(member, proxyId);
    const messages = (ip: string, key?: string) =>
      call(`/v1/anthropic/${proxyId}/v1/messages`, {
        method: "POST",
        headers: { ...headers, ...(key ? { "x-api-key": key } : {}), "cf-connecting-ip": ip },
        body: JSON.stringify({
          model: "claude-sonnet-4-5",
          max_tokens: 1,
          messages: [{ role: "user", content: "hi" }],
        }),
      });

    // A good key asks the guard nothing.
    const guardLookups = vi.spyOn(env.SIGN_IN_GUARD, "idFromName");
    const good = await messages("198.51.100.1");
    expect(good.status).toBe(200);
    await good.arrayBuffer();
    expect(guardLookups).not.toHaveBeenCalled();

    const attacker = "198.51.100.66";
    for (let i = 0; i < 20; i++) {
      const res = await messages(attacker, `arch_guess${i}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`);
      expect(res.status, `guess ${i + 1}`).toBe(401);
      await res.arrayBuffer();
    }
    expect(guardLookups).toHaveBeenCalledTimes(20);

    // Locked now, and known locked in this isolate: refused before any lookup or guard call,
    // even with a good key.
    await resetFake();
    const refused = await messages(attacker);
    const body = await expectApiError(refused, 429, "rate_limit_error", /invalid API keys/);
    expect(body.type).toBe("error");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(guardLookups).toHaveBeenCalledTimes(20);
    expect(await fakeRequests()).toHaveLength(0);

    // Another address with the same good key is untouched.
    const other = await messages("198.51.100.2");
    expect(other.status).toBe(200);
    await other.arrayBuffer();
    expect(guardLookups).toHaveBeenCalledTimes(20);
  });

  it("does not count refusals that are not about a virtual key", async () => {
    const { proxyId } = await proxyWithKey(a);
    const ip = "198.51.100.77";
    for (let i = 0; i < 25; i++) {
      const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": ip },
        body: "{}",
      });
      expect(res.status).toBe(401);
      await res.arrayBuffer();
    }
    const state = await runInDurableObject(guard(`proxy-ip:${ip}`), (_, s) =>
      s.storage.get(LOCKOUT_KEY),
    );
    expect(state).toBeUndefined();
  });

  it("does not count a real key that was revoked: its holder retrying is not guessing", async () => {
    const { proxyId } = await proxyWithKey(a);
    const member = await createUser(a, "revoked-retrier@acme.test");
    const { headers } = await profileHeaders(member, proxyId);
    const { data } = await member.json<{ data: { id: string }[] }>("/virtual-keys");
    for (const key of data) await member.api(`/virtual-keys/${key.id}`, { method: "DELETE" });
    const ip = "198.51.100.88";
    for (let i = 0; i < 25; i++) {
      const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
        method: "POST",
        headers: { ...headers, "cf-connecting-ip": ip },
        body: JSON.stringify({
          model: "claude-sonnet-4-5",
          max_tokens: 1,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      await expectApiError(res, 401, "authentication_error", /revoked/);
    }
    const state = await runInDurableObject(guard(`proxy-ip:${ip}`), (_, s) =>
      s.storage.get(LOCKOUT_KEY),
    );
    expect(state).toBeUndefined();
  });
});
