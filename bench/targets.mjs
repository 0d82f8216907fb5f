// The three things the benchmark sends the same requests to: the fake upstream itself
// (direct), Gatehouse started exactly as `npm start` does, and Portkey's open-source gateway
// from its npm package. Each target is a URL plus the headers a real client would send.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROVIDER_KEY } from "./fake-upstream.mjs";
import { rememberGroups, startGroup, stopGroup } from "./processes.mjs";

const STARTUP_TIMEOUT_MS = 120_000;
const ANTHROPIC_VERSION = "2023-06-01";

/**
 * @typedef {object} Target
 * @property {string} name "direct", "gatehouse" or "portkey".
 * @property {string} url The Messages endpoint.
 * @property {Record<string, string>} headers
 *
 * @typedef {object} Gateway
 * @property {string} baseUrl
 * @property {import("./processes.mjs").Started} process
 * @property {() => Promise<void>} stop
 */

/** Environment for anything that runs wrangler: no telemetry, no network. */
export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * Polls `url` until it answers 200, the process exits, or the timeout passes.
 * @param {string} url
 * @param {import("./processes.mjs").Started} started
 */
async function waitForOk(url, started) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) {
      throw new Error(`${started.name} exited early:\n${started.output()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) {
        rememberGroups(started);
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${started.name} did not answer ${url} in time:\n${started.output()}`);
}

/**
 * `npm start` (the gateway Worker alone: production routes /v1 straight to it) on a free port
 * with its state in a fresh temp directory.
 * @param {string} root The repository.
 * @returns {Promise<Gateway>}
 */
export async function startGatehouse(root) {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
  const started = startGroup("gatehouse", ["scripts/start.mjs"], {
    cwd: root,
    env: {
      ...process.env,
      ...WRANGLER_ENV,
      PORT: String(port),
      GATEHOUSE_STATE_DIR: stateDir,
      GATEHOUSE_WORKER_ONLY: "1",
    },
    afterStop: () => rmSync(stateDir, { recursive: true, force: true }),
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = () => stopGroup(started);
  try {
    await waitForOk(`${baseUrl}/healthz`, started);
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, process: started, stop };
}

/**
 * Portkey's Node server from the installed package, without its UI.
 * @param {string} root
 * @returns {Promise<Gateway>}
 */
export async function startPortkey(root) {
  const port = await freePort();
  const script = join(root, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
  const started = startGroup("portkey", [script, `--port=${port}`, "--headless"], {
    cwd: root,
    env: process.env,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = () => stopGroup(started);
  try {
    await waitForOk(`${baseUrl}/`, started);
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, process: started, stop };
}

/**
 * @param {string} url
 * @param {RequestInit} init
 * @param {number} [timeoutMs]
 */
async function json(url, init, timeoutMs = 30_000) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url}: ${res.status} ${text}`);
  return { res, body: text ? JSON.parse(text) : null };
}

/**
 * The first admin of a fresh Gatehouse (locally no setup token is needed), and a caller of the
 * admin API in their session: `api(path)` GETs, `api(path, body)` POSTs JSON; both return the
 * parsed answer and throw on an error status.
 * @param {string} baseUrl
 */
export async function firstAdmin(baseUrl) {
  const setup = await json(`${baseUrl}/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      organisationName: "Bench",
      name: "Bench Admin",
      email: "bench@bench.test",
      password: "a long enough bench password",
    }),
  });
  const cookie = setup.res.headers.get("set-cookie")?.split(";")[0] ?? "";
  /** @param {string} path @param {unknown} [body] @param {number} [timeoutMs] */
  const api = async (path, body, timeoutMs) =>
    (
      await json(
        `${baseUrl}/api${path}`,
        {
          method: body === undefined ? "GET" : "POST",
          headers: { cookie, origin: baseUrl, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        },
        timeoutMs,
      )
    ).body;
  return { cookie, api };
}

/**
 * What a new customer does through the admin API: first admin, an Anthropic key pointing at
 * the fake, an LLM proxy using it, and the Claude Desktop profile. Returns the target as
 * Claude Desktop would call it: the profile's base URL, its standard key as x-api-key, and
 * its custom headers (the passthrough key in X-Archestra-Virtual-Key and the agent id), so
 * virtual-key checks and request logging are all on the measured path.
 * Also returns a reader of the newest request-log row, to show logging really was on, and the
 * admin's session (`admin`), to set up more proxies, targets and limits.
 * @param {string} baseUrl
 * @param {string} fakeUrl
 * @returns {Promise<{ target: Target, latestLogRow: () => Promise<unknown>, admin: GatehouseAdmin }>}
 */
export async function gatehouseTarget(baseUrl, fakeUrl) {
  const { api } = await firstAdmin(baseUrl);
  /** @param {string} path @param {unknown} body */
  const post = (path, body) => api(path, body);
  const providerKey = await post("/provider-keys", {
    name: "Fake Anthropic",
    provider: "anthropic",
    secret: PROVIDER_KEY,
    baseUrl: fakeUrl,
  });
  const proxy = await post("/llm-proxies", { name: "Bench", providerKeyId: providerKey.id });
  /** @param {string} proxyId @param {string} name @returns {Promise<Target>} */
  const connectionTarget = async (proxyId, name) => {
    /** @type {{ profile: { inference: { baseUrl: string, customHeaders: Record<string, string>, credential: { apiKey: string } } } }} */
    const download = await post("/connection-setups/claude-desktop", { proxyId });
    const { inference } = download.profile;
    return {
      name,
      url: `${inference.baseUrl}/v1/messages`,
      headers: {
        "content-type": "application/json",
        "anthropic-version": ANTHROPIC_VERSION,
        "x-api-key": inference.credential.apiKey,
        ...inference.customHeaders,
      },
    };
  };
  const latestLogRow = async () =>
    (await api("/logs/llm?limit=1", undefined, 5_000)).data[0] ?? null;
  return {
    target: await connectionTarget(proxy.id, "gatehouse"),
    latestLogRow,
    admin: { post, providerKeyId: providerKey.id, connectionTarget },
  };
}

/**
 * The admin session gatehouseTarget set up: POST to /api<path> as that admin, the provider
 * key pointing at the fake, and the Claude Desktop target of any proxy, named `name`.
 * @typedef {object} GatehouseAdmin
 * @property {(path: string, body: unknown) => Promise<any>} post
 * @property {string} providerKeyId
 * @property {(proxyId: string, name: string) => Promise<Target>} connectionTarget
 */

/**
 * Portkey's Anthropic passthrough: its native /v1/messages route, the provider named in a
 * header and the upstream in x-portkey-custom-host; the provider key goes as is.
 * @param {string} baseUrl
 * @param {string} fakeUrl
 * @returns {Target}
 */
export function portkeyTarget(baseUrl, fakeUrl) {
  return {
    name: "portkey",
    url: `${baseUrl}/v1/messages`,
    headers: {
      "content-type": "application/json",
      "anthropic-version": ANTHROPIC_VERSION,
      "x-api-key": PROVIDER_KEY,
      "x-portkey-provider": "anthropic",
      "x-portkey-custom-host": `${fakeUrl}/v1`,
    },
  };
}

/** @param {string} fakeUrl @returns {Target} */
export function directTarget(fakeUrl) {
  return {
    name: "direct",
    url: `${fakeUrl}/v1/messages`,
    headers: {
      "content-type": "application/json",
      "anthropic-version": ANTHROPIC_VERSION,
      "x-api-key": PROVIDER_KEY,
    },
  };
}

/** @param {string} root */
export function versions(root) {
  /** @param {string} pkg */
  const version = (pkg) => {
    try {
      return JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8"))
        .version;
    } catch {
      return "unknown";
    }
  };
  return {
    node: process.version,
    wrangler: version("wrangler"),
    workerd: version("workerd"),
    portkey: version("@portkey-ai/gateway"),
    honoNodeServer: version("@hono/node-server"),
    undici: version("undici"),
  };
}
