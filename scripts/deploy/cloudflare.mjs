// A small Cloudflare API client for the deploy: the credentials wrangler already has (an API
// token from the environment or `wrangler login`'s OAuth token, through `wrangler auth token`),
// the account to deploy to, and JSON calls in Cloudflare's `{ success, errors, result }`
// envelope. The base URL honours CLOUDFLARE_API_BASE_URL like wrangler does (tests point both
// at a fake API on loopback).
import { DeployStop } from "./errors.mjs";
import { runWrangler, wranglerError } from "./wrangler.mjs";

export const apiBaseUrl = () =>
  (process.env.CLOUDFLARE_API_BASE_URL ?? "https://api.cloudflare.com/client/v4").replace(
    /\/$/,
    "",
  );

/** Wrangler's current token, or null when it has none (not logged in, no API token). */
export async function wranglerToken(root) {
  const result = await runWrangler(root, ["auth", "token", "--json"]);
  if (result.code !== 0) return { token: null, reason: wranglerError(result) };
  try {
    const parsed = JSON.parse(result.stdout);
    return typeof parsed.token === "string" && parsed.token
      ? { token: parsed.token, reason: "" }
      : { token: null, reason: "wrangler returned no token" };
  } catch {
    return { token: null, reason: "wrangler's token was not JSON" };
  }
}

export class CloudflareApi {
  /** @param {string} token */
  constructor(token) {
    this.token = token;
    this.accountId = "";
  }

  /**
   * One API call; resolves to `result`, or `null` for a 404 when `allow404` is set.
   * @param {string} method
   * @param {string} path under /client/v4, e.g. `/accounts`
   * @param {{ body?: unknown, allow404?: boolean }} [options]
   */
  async call(method, path, options = {}) {
    const url = `${apiBaseUrl()}${path}`;
    let res;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (err) {
      throw new DeployStop(
        `Could not reach the Cloudflare API (${url}): ${err.cause?.message ?? err.message}.`,
        "Check your network connection and run the command again.",
      );
    }
    if (res.status === 404 && options.allow404) return null;
    const body = await res.json().catch(() => ({}));
    if (res.status === 401 || res.status === 403) {
      throw new DeployStop(
        `Cloudflare refused the credentials (${res.status} on ${method} ${path}).`,
        "Run `npx wrangler login` again, or set CLOUDFLARE_API_TOKEN to a token with the " +
          "Workers, D1, KV, Queues and Pages edit permissions on this account.",
      );
    }
    if (!res.ok || body.success === false) {
      const detail = (body.errors ?? []).map((e) => `${e.message} [code ${e.code}]`).join("; ");
      throw new Error(`${method} ${path} failed (${res.status}): ${detail || "no details"}`);
    }
    return body.result;
  }

  /** `/accounts/<id>` + path. */
  account(method, path, options) {
    return this.call(method, `/accounts/${this.accountId}${path}`, options);
  }
}

/**
 * Picks the account: CLOUDFLARE_ACCOUNT_ID when set (it must be one the credentials reach),
 * else the only account they reach.
 * @param {CloudflareApi} api
 */
export async function chooseAccount(api) {
  /** @type {{ id: string, name: string }[]} */
  const accounts = (await api.call("GET", "/accounts?per_page=50")) ?? [];
  const wanted = process.env.CLOUDFLARE_ACCOUNT_ID;
  const list = accounts.map((a) => `${a.id} (${a.name})`).join(", ") || "none";
  if (wanted) {
    const found = accounts.find((a) => a.id === wanted);
    if (!found) {
      throw new DeployStop(
        `CLOUDFLARE_ACCOUNT_ID is ${wanted}, which these credentials cannot reach.`,
        `Set CLOUDFLARE_ACCOUNT_ID to one of: ${list}; or log in to the right account ` +
          "(`npx wrangler logout`, then `npx wrangler login`).",
      );
    }
    return found;
  }
  if (accounts.length === 1) return accounts[0];
  throw new DeployStop(
    accounts.length === 0
      ? "These credentials reach no Cloudflare account."
      : "These credentials reach more than one Cloudflare account.",
    `Set CLOUDFLARE_ACCOUNT_ID to the account to deploy to (one of: ${list}).`,
  );
}
