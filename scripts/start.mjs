#!/usr/bin/env node
// `npm start`: the dashboard and the gateway on one loopback origin, with local state
// (Miniflare's D1 and Durable Objects under .wrangler/state), migrations applied, no
// Cloudflare account or network needed. The site is built, then `wrangler pages dev` serves
// it with its Functions and runs the gateway Worker behind their service binding, exactly
// the production shape.
//
// Environment: PORT (default 8787), GATEHOUSE_STATE_DIR (default .wrangler/state),
// GATEHOUSE_WORKER_ONLY=1 to serve the gateway Worker alone (what the benchmark measures),
// GATEHOUSE_INSPECTOR=1 to keep wrangler's DevTools inspector (see below), GATEHOUSE_DEV_VARS
// for a secrets file other than .dev.vars at the repository root (tests use their own).
import { spawn, spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DevVarsError, ensureDevVars, workerConfigFor } from "./dev-vars.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const port = process.env.PORT ?? "8787";
const stateDir = process.env.GATEHOUSE_STATE_DIR ?? join(root, ".wrangler", "state");
const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const vite = join(root, "node_modules", "vite", "bin", "vite.js");
const workerOnly = process.env.GATEHOUSE_WORKER_ONLY === "1";
const rootDevVars = join(root, ".dev.vars");
const devVars = process.env.GATEHOUSE_DEV_VARS
  ? resolve(process.env.GATEHOUSE_DEV_VARS)
  : rootDevVars;
const logLevel = process.env.WRANGLER_LOG_LEVEL ?? "warn";
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  // Wrangler asks nothing of a non-interactive run.
  CI: process.env.CI ?? "true",
  // Wrangler's DevTools inspector is off unless asked for. While on, wrangler 4.86 sends every
  // network event of the Worker (one per fetch and per streamed chunk) to its Node process,
  // which appends each to a debug log file: ~5 ms of CPU per proxied request, a log growing
  // by megabytes a minute, and open files that run out under streaming load (BENCHMARKS.md).
  // Setting this variable is the one switch wrangler's CLI reads for that (it is how a VS Code
  // debug terminal turns the inspector off).
  ...(process.env.GATEHOUSE_INSPECTOR === "1" ? {} : { VSCODE_INSPECTOR_OPTIONS: "off" }),
};

try {
  ensureDevVars(devVars, join(root, ".dev.vars.example"));
} catch (err) {
  if (!(err instanceof DevVarsError)) throw err;
  console.error(`npm start: ${err.message}`);
  process.exit(1);
}
const workerConfig =
  devVars === rootDevVars ? join(root, "wrangler.toml") : await workerConfigFor(devVars, root);
applyMigrations();
if (!workerOnly) buildSite();
serve(workerOnly ? workerArgs() : pagesArgs());

function applyMigrations() {
  const result = spawnSync(
    process.execPath,
    [wrangler, "d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir],
    { cwd: root, env, encoding: "utf8" },
  );
  if (result.status !== 0) {
    console.error(result.stdout, result.stderr);
    console.error("Could not apply the D1 migrations to the local database.");
    process.exit(1);
  }
}

function buildSite() {
  const result = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
    cwd: join(root, "pages"),
    env,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    console.error(result.stdout, result.stderr);
    console.error("Could not build the dashboard (pages/).");
    process.exit(1);
  }
}

function workerArgs() {
  return [
    wrangler,
    "dev",
    "-c",
    workerConfig,
    "--ip",
    "127.0.0.1",
    "--port",
    port,
    "--persist-to",
    stateDir,
    "--show-interactive-dev-session=false",
    "--log-level",
    logLevel,
  ];
}

/** The Pages config first, then the Worker's: wrangler runs both, joined by the binding. */
function pagesArgs() {
  return [
    wrangler,
    "pages",
    "dev",
    "--cwd",
    join(root, "pages"),
    "-c",
    "wrangler.toml",
    "-c",
    workerConfig,
    "--ip",
    "127.0.0.1",
    "--port",
    port,
    "--persist-to",
    stateDir,
    "--show-interactive-dev-session=false",
    "--log-level",
    logLevel,
  ];
}

function serve(args) {
  // Its own process group, so stopping it also stops the workerd children it starts.
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: "inherit", detached: true });
  const stop = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(signal));
  process.on("exit", () => stop("SIGTERM"));
  child.on("exit", (code) => {
    // workerd children can outlive wrangler when they ignore SIGTERM: none may survive it.
    stop("SIGKILL");
    process.exit(code ?? 0);
  });
  waitUntilUp().then(printWelcome, (err) => console.error(String(err)));
}

async function waitUntilUp() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The gateway did not answer on port ${port} within 60 s.`);
}

async function printWelcome() {
  const base = `http://127.0.0.1:${port}`;
  const setup = await fetch(`${base}/api/setup`).then((r) => r.json());
  console.log(`
Gatehouse is running (local state in ${stateDir}).
  Dashboard:    ${base}${workerOnly ? "  (not served: GATEHOUSE_WORKER_ONLY=1)" : ""}
  LLM proxy:    ${base}/v1/anthropic/<proxy-id>  (or ${base}/v1/anthropic for the default)
  MCP gateways: ${base}/v1/mcp/<slug>  (OAuth: ${base}/.well-known/oauth-authorization-server)
  Admin API:    ${base}/api   (OpenAPI: ${base}/api/openapi.json)
`);
  if (setup.needed) {
    console.log(`No admin yet. Open ${base} to create the first one, or:
  curl -s ${base}/api/setup -H 'content-type: application/json' \\
    -d '{"organisationName":"Acme","name":"Ada","email":"ada@example.com","password":"choose a long password"}'
`);
  }
  console.log("Stop with Ctrl+C.");
}
