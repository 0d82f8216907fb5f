// Single sign-on tests drive the fake identity provider (test/fakes/oidc-provider.ts) over
// HTTP, one tenant per scenario, and the gateway the way a browser does: following redirects
// by hand so each hop, cookie and error code can be checked.
import { env, SELF } from "cloudflare:test";
import { expect, vi } from "vitest";
import type { Fault, TenantConfig, TokenLogEntry } from "../fakes/oidc-provider";
import { rows } from "./api-helpers";
import { call, ORIGIN } from "./helpers";

declare global {
  namespace Cloudflare {
    interface Env {
      FAKE_OIDC_URL: string;
    }
  }
}

export type { Fault };

export const CLIENT_ID = "gatehouse-test-client";
export const CLIENT_SECRET = "fake-client-secret-0123456789";
export const REDIRECT_URI = `${ORIGIN}/api/auth/oidc/callback`;

/** A fresh tenant of the fake: its issuer URL, nobody else's configuration or caches. */
export function newIssuer(label = "idp"): string {
  return `${env.FAKE_OIDC_URL}/t/${label}-${crypto.randomUUID().slice(0, 8)}`;
}

export async function configureTenant(issuer: string, config: Partial<TenantConfig> = {}) {
  const full: TenantConfig = {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    user: { sub: "user-1", email: "sso.user@acme.test", name: "Sso User" },
    ...config,
  };
  const res = await fetch(`${issuer}/_fake/config`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(full),
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

export async function tokenLog(issuer: string): Promise<TokenLogEntry[]> {
  return (await fetch(`${issuer}/_fake/log`)).json();
}

/** The cookies a response sets, by name (an empty value means deleted). */
export function setCookies(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getAll("set-cookie")) {
    const [pair = ""] = line.split(";");
    const eq = pair.indexOf("=");
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export interface SignInResult {
  /** The gateway's answer to the callback. */
  callback: Response;
  /** Where the callback sent the browser. */
  location: string;
  /** `gatehouse_session=<token>` when a session was started, else null. */
  sessionCookie: string | null;
  callbackUrl: string;
  bindingCookie: string;
}

/** start → the provider's authorize step → callback, as a browser would follow them. */
export async function signInWithOidc(returnTo = "/connect"): Promise<SignInResult> {
  const start = await call(`/api/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`, {
    redirect: "manual",
  });
  expect(start.status, await start.clone().text()).toBe(302);
  const authorizeUrl = start.headers.get("location") ?? "";
  expect(authorizeUrl, "start should redirect to the provider").toMatch(/^http:\/\/127\.0\.0\.1/);
  const state = setCookies(start).gatehouse_oidc_state ?? "";
  const bindingCookie = `gatehouse_oidc_state=${state}`;
  const authorize = await fetch(authorizeUrl, { redirect: "manual" });
  expect(authorize.status, await authorize.clone().text()).toBe(302);
  const callbackUrl = authorize.headers.get("location") ?? "";
  expect(callbackUrl.startsWith(REDIRECT_URI)).toBe(true);
  const callback = await callbackWith(callbackUrl, bindingCookie);
  return { ...callback, callbackUrl, bindingCookie };
}

export async function callbackWith(callbackUrl: string, cookie: string | null) {
  const callback = await SELF.fetch(callbackUrl, {
    redirect: "manual",
    headers: cookie ? { cookie } : {},
  });
  await callback.clone().arrayBuffer();
  expect(callback.status).toBe(302);
  const session = setCookies(callback).gatehouse_session;
  return {
    callback,
    location: callback.headers.get("location") ?? "",
    sessionCookie: session ? `gatehouse_session=${session}` : null,
  };
}

export async function me(cookie: string) {
  const res = await call("/api/me", { headers: { cookie } });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { user: { id: string; email: string; role: string } }).user;
}

export interface AuditLogRow {
  action: string;
  outcome: string;
  status: number;
  actor_via: string;
  actor_email: string | null;
  org_id: string | null;
  detail: string | null;
  at: number;
}

/**
 * Audit entries of `action` since `since` (ms), once at least `atLeast` exist: they are written
 * after the response (waitUntil), so this polls the table until they are there.
 */
export function auditEntries(action: string, since: number, atLeast = 1): Promise<AuditLogRow[]> {
  return vi.waitFor(
    async () => {
      const found = await rows<AuditLogRow>(
        "SELECT * FROM audit_log WHERE action = ? AND at >= ? ORDER BY at",
        action,
        since,
      );
      if (found.length < atLeast) throw new Error(`${found.length} ${action} entries so far`);
      return found;
    },
    { timeout: 5_000, interval: 10 },
  );
}
