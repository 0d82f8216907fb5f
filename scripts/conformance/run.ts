// `npm run test:conformance`: the official MCP conformance suite (@modelcontextprotocol/
// conformance, server mode) against a Gatehouse MCP gateway started as `npm start` runs it.
//
// It starts the fake upstream MCP servers (two tenants, SDK-built), an upstream with the
// suite's reference fixtures (fixture-upstream.ts) and a gateway with fresh state, makes the
// first admin, registers the three upstreams, creates a gateway over them, gets
// an OAuth access token through the real flow (discovery, registration, PKCE, consent), puts
// a token-adding loopback proxy in front of `/v1/mcp/<slug>` (the suite sends no token), and
// runs the suite's server scenarios against the proxy with the baseline of expected failures
// (baseline.yml). Then it replays the tool and prompt scenarios under the gateway's
// `<server>__<name>` names (replay.ts). Exit code: 1 when the suite's own baseline verdict
// fails (a failure not in the baseline, or a baseline entry that now passes) or a replay
// fails, else 0. Every process it started is stopped (by its own process group) before it
// exits.
//
// Extra arguments go to the suite, e.g. `npm run test:conformance -- --scenario ping`.
// Results (checks.json per scenario, the suite's full log) land in test-results/conformance/.
import { type ChildProcess, spawn } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { McpGatewayView, McpServerSaved } from "../../shared/api-types";
import { type RunningGateway, startGateway } from "../../test/e2e/gateway-process";
import { type FakeMcpUpstream, startFakeMcpUpstream } from "../../test/fakes/mcp-upstream";
import { type FixtureUpstream, startFixtureUpstream } from "./fixture-upstream";
import { accessTokenFor } from "./oauth-token";
import { type ReplayResult, replayRenamed } from "./replay";
import { startTokenProxy, type TokenProxy } from "./token-proxy";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const cli = join(root, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
const baseline = join(here, "baseline.yml");
const outDir = join(root, "test-results", "conformance");
const SLUG = "conformance";
/** The fixture upstream's name on the gateway: its tools are `everything__test_*`. */
const FIXTURES = "everything";
/** The whole suite must finish in this time, or it is stopped and the run fails. */
const SUITE_TIMEOUT_MS = 8 * 60_000;
const ADMIN = { email: "conformance@gatehouse.test", password: "conformance password 1234" };

let fake: FakeMcpUpstream | undefined;
let fixtures: FixtureUpstream | undefined;
let gateway: RunningGateway | undefined;
let proxy: TokenProxy | undefined;
let suite: ChildProcess | undefined;

async function stopAll() {
  if (suite?.pid && suite.exitCode === null && suite.signalCode === null) {
    const exited = new Promise((r) => suite?.once("exit", r));
    try {
      process.kill(-suite.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await exited;
  }
  await proxy?.close();
  await gateway?.stop();
  await fake?.close();
  await fixtures?.close();
}

async function api<T>(path: string, cookie: string, body?: unknown): Promise<T> {
  const base = gateway?.url ?? "";
  const res = await fetch(`${base}/api${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { cookie, origin: base, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** First admin (fresh state, local development: no setup token), then a session cookie. */
async function signInAdmin(base: string): Promise<string> {
  const setup = await fetch(`${base}/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ organisationName: "Conformance", name: "Conformance Admin", ...ADMIN }),
  });
  if (setup.status !== 201) throw new Error(`setup: ${setup.status} ${await setup.text()}`);
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify(ADMIN),
  });
  const cookie = login.headers.get("set-cookie")?.split(";")[0];
  if (login.status !== 200 || !cookie) throw new Error(`login: ${login.status}`);
  return cookie;
}

async function addServer(cookie: string, name: string, url: string): Promise<string> {
  const saved = await api<McpServerSaved>("/mcp-servers", cookie, {
    name,
    url,
    auth: { kind: "none" },
  });
  if (!saved.test.ok) throw new Error(`upstream ${name}: ${saved.test.error}`);
  return saved.id;
}

/** Fails fast, before the suite, if the token or the proxy does not work. */
async function smokeTest(mcpUrl: string): Promise<string[]> {
  const client = new Client({ name: "conformance-smoke", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
  const { tools } = await client.listTools();
  await client.close();
  return tools.map((t) => t.name);
}

function runSuite(mcpUrl: string, extraArgs: string[]): Promise<number> {
  const log = createWriteStream(join(outDir, "conformance.log"));
  const args = [
    "--import",
    join(here, "register-glob-sync.mjs"),
    cli,
    "server",
    "--url",
    mcpUrl,
    "--expected-failures",
    baseline,
    "--output-dir",
    outDir,
    // Every server scenario, the two "pending" ones included, unless told otherwise.
    ...(extraArgs.some((a) => a === "--suite" || a === "--scenario") ? [] : ["--suite", "all"]),
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  suite = child;
  const verbose = process.env.CONFORMANCE_VERBOSE === "1";
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (d: Buffer) => {
      log.write(d);
      if (verbose) process.stdout.write(d);
    });
  }
  const timer = setTimeout(() => {
    console.error(`The suite ran over ${SUITE_TIMEOUT_MS / 1000}s; stopping it.`);
    if (child.pid) process.kill(-child.pid, "SIGTERM");
  }, SUITE_TIMEOUT_MS);
  return new Promise((done) => {
    child.on("exit", (code) => {
      clearTimeout(timer);
      log.end(() => done(code ?? 1));
    });
  });
}

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

/** Per scenario: passed (no FAILURE or WARNING check, the suite's rule) and what failed. */
function summarise() {
  const expected = new Set(
    readFileSync(baseline, "utf8")
      .split("\n")
      .map((line) => /^\s*-\s*([\w-]+)/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  const rows: string[] = [];
  for (const entry of readdirSync(outDir).sort()) {
    const file = join(outDir, entry, "checks.json");
    if (!existsSync(file)) continue;
    const scenario = entry.replace(/^server-/, "").replace(/-\d{4}-\d{2}-\d{2}T.*$/, "");
    const checks = JSON.parse(readFileSync(file, "utf8")) as Check[];
    const bad = checks.filter((c) => c.status === "FAILURE" || c.status === "WARNING");
    const ok = checks.filter((c) => c.status === "SUCCESS").length;
    const verdict = bad.length === 0 ? "pass" : expected.has(scenario) ? "fail (baseline)" : "FAIL";
    const why = bad.map((c) => `${c.id}: ${(c.errorMessage ?? c.status).slice(0, 120)}`);
    rows.push(`| ${scenario} | ${verdict} | ${ok}/${ok + bad.length} | ${why.join("; ")} |`);
  }
  console.log("\n| Scenario | Result | Checks passed | Failing checks |");
  console.log("|---|---|---|---|");
  for (const row of rows) console.log(row);
}

function printReplays(replays: ReplayResult[]) {
  console.log("\nThe renamed fixtures, replayed under the gateway's names:\n");
  console.log("| Scenario | Called as | Result | Problem |");
  console.log("|---|---|---|---|");
  for (const r of replays) {
    console.log(`| ${r.scenario} | ${r.exposedName} | ${r.ok ? "pass" : "FAIL"} | ${r.detail} |`);
  }
  const failed = replays.filter((r) => !r.ok).length;
  console.log(failed === 0 ? "\nEvery replay passed." : `\n${failed} replay(s) failed.`);
}

async function main() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  console.log("Starting the fake upstream MCP servers and the gateway (npm start)…");
  fake = await startFakeMcpUpstream();
  fixtures = await startFixtureUpstream();
  gateway = await startGateway();
  const cookie = await signInAdmin(gateway.url);
  const one = await addServer(cookie, "one", fake.endpoint("conformance-one"));
  const two = await addServer(cookie, "two", fake.endpoint("conformance-two"));
  const everything = await addServer(cookie, FIXTURES, fixtures.url);
  await api<McpGatewayView>("/mcp-gateways", cookie, {
    slug: SLUG,
    name: "Conformance",
    serverIds: [one, two, everything],
  });
  const token = await accessTokenFor(gateway.url, SLUG, cookie);
  proxy = await startTokenProxy(gateway.url, token);
  const mcpUrl = `${proxy.url}/v1/mcp/${SLUG}`;
  const tools = await smokeTest(mcpUrl);
  console.log(`Gateway ${gateway.url}, proxy ${mcpUrl}; tools: ${tools.join(", ")}`);

  console.log("Running the conformance suite (server scenarios)…");
  const started = Date.now();
  const code = await runSuite(mcpUrl, process.argv.slice(2));
  summarise();
  const log = stripVTControlCharacters(readFileSync(join(outDir, "conformance.log"), "utf8"));
  const verdictAt = log.search(/\n(Expected failures|Stale baseline|Unexpected failures|Baseline)/);
  if (verdictAt >= 0) console.log(log.slice(verdictAt));
  const replays = await replayRenamed(mcpUrl, FIXTURES);
  printReplays(replays);
  console.log(
    `Suite finished in ${Math.round((Date.now() - started) / 1000)}s, exit ${code}; ` +
      `${proxy.forwarded()} requests through the proxy. Full log: ${join(outDir, "conformance.log")}`,
  );
  return code === 0 && replays.every((r) => r.ok) ? 0 : 1;
}

let exitCode = 1;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}
try {
  exitCode = await main();
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
} finally {
  await stopAll();
}
process.exit(exitCode);
