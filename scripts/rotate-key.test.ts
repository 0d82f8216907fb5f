// npm run rotate-key against stand-ins: wrangler is replaced (WRANGLER) by a small script that
// records its arguments and standard input, and the gateway by a loopback server that answers
// the re-encrypt route as the Worker would (409 until the new key is live, then batches). Both
// append to one log, so the order of the steps is what the test reads.
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { importKeyRing } from "../shared/crypto";

const SCRIPT = resolve(__dirname, "rotate-key.mjs");
const CURRENT = Buffer.alloc(32, 7).toString("base64");
const STRANGER = Buffer.alloc(32, 9).toString("base64");
const TOKEN = "gh_admin_test_token";

const FAKE_WRANGLER = `
import { appendFileSync, readFileSync } from "node:fs";
const input = readFileSync(0, "utf8");
const args = process.argv.slice(2);
appendFileSync(process.env.ROTATION_LOG, JSON.stringify({ who: "wrangler", args, input }) + "\\n");
if (process.env.FAKE_WRANGLER_FAIL === args.slice(0, 3).join(" ")) {
  console.error("✘ [ERROR] A request to the Cloudflare API failed.");
  process.exit(1);
}
`;

type Event =
  | { who: "wrangler"; args: string[]; input: string }
  | { who: "api"; status: number; keyId?: string; cursor?: string };

interface Scenario {
  /** The ENCRYPTION_KEY the deployed Worker has before any `secret put`. */
  workerKey: string;
  /** 409 answers after the new key was put, before the Worker uses it. */
  lag: number;
  failed: { kind: string; id: string }[];
}

let dir: string;
let log: string;
let config: string;
let server: Server;
let url: string;
let scenario: Scenario;
let lagLeft = 0;

const events = (): Event[] =>
  readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Event);

/** The key the Worker uses now: the last one put, once `lag` polls have passed. */
async function liveKeyId(): Promise<string> {
  const put = events()
    .filter(
      (e) => e.who === "wrangler" && e.args.slice(0, 3).join(" ") === "secret put ENCRYPTION_KEY",
    )
    .at(-1);
  let key = scenario.workerKey;
  if (put?.who === "wrangler") {
    if (lagLeft > 0) lagLeft -= 1;
    else key = put.input;
  }
  return (await importKeyRing(key)).current.id;
}

function answer(cursor: string | undefined, keyId: string) {
  const zero = {
    providerKey: 0,
    virtualKey: 0,
    mcpServer: 0,
    ssoClientSecret: 0,
    telemetryExporter: 0,
  };
  const last = cursor !== undefined;
  return {
    organisationId: "org_1",
    scope: "This organisation's secrets only.",
    keyId,
    previousKeyId: null,
    reEncrypted: last ? { ...zero, mcpServer: 1 } : { ...zero, providerKey: 2, virtualKey: 48 },
    failed: last ? scenario.failed : [],
    more: !last,
    cursor: last ? null : "virtualKey:vk_9",
    remaining: { ...zero, mcpServer: scenario.failed.length },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rotate-key-"));
  log = join(dir, "log.jsonl");
  config = join(dir, "wrangler.toml");
  writeFileSync(config, 'name = "gatehouse"\n');
  writeFileSync(join(dir, "wrangler.mjs"), FAKE_WRANGLER);
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", async () => {
      const send = (status: number, json: unknown, input: { keyId?: string; cursor?: string }) => {
        appendFileSync(log, `${JSON.stringify({ who: "api", status, ...input })}\n`);
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
      };
      const input = JSON.parse(body || "{}") as { keyId?: string; cursor?: string };
      if (req.url !== "/api/encryption-key/re-encrypt" || req.method !== "POST") {
        return send(404, { error: { message: "No route" } }, input);
      }
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        return send(
          403,
          { error: { message: "This needs the permission 'organisation:update'." } },
          input,
        );
      }
      const live = await liveKeyId();
      if (input.keyId && input.keyId !== live) {
        return send(409, { error: { message: `key id ${live}, not ${input.keyId}` } }, input);
      }
      send(200, answer(input.cursor, live), input);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  writeFileSync(log, "");
  scenario = { workerKey: CURRENT, lag: 2, failed: [] };
  lagLeft = scenario.lag;
});

function rotate(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [SCRIPT, "--config", config, ...args], {
      env: {
        ...process.env,
        WRANGLER: join(dir, "wrangler.mjs"),
        ROTATION_LOG: log,
        ROTATE_KEY_POLL_MS: "10",
        ROTATE_KEY_WAIT_SECONDS: "20",
        GATEHOUSE_URL: url,
        GATEHOUSE_TOKEN: TOKEN,
        CURRENT_ENCRYPTION_KEY: CURRENT,
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

const step = (e: Event) =>
  e.who === "wrangler"
    ? `wrangler ${e.args.slice(0, 3).join(" ")}`
    : `api ${e.status}${e.cursor ? " cursor" : ""}`;

describe("npm run rotate-key", () => {
  it("keeps the old key as previous, puts a new one, waits for it, re-encrypts, then deletes previous", async () => {
    const run = await rotate([]);
    expect(run.code, run.stderr).toBe(0);
    const all = events();
    expect(all.map(step)).toEqual([
      "api 200",
      "wrangler secret put ENCRYPTION_KEY_PREVIOUS",
      "wrangler secret put ENCRYPTION_KEY",
      "api 409",
      "api 409",
      "api 200",
      "api 200 cursor",
      "wrangler secret delete ENCRYPTION_KEY_PREVIOUS",
    ]);
    const calls = all.filter((e) => e.who === "wrangler");
    for (const call of calls) expect(call.args.slice(3)).toEqual(["--config", config]);
    expect(calls[0]?.input).toBe(CURRENT);
    const newKey = calls[1]?.input ?? "";
    expect(Buffer.from(newKey, "base64")).toHaveLength(32);
    expect(newKey).not.toBe(CURRENT);
    // The checks ask for the key ids the Worker computes (shared/crypto.ts).
    const api = all.filter((e) => e.who === "api");
    expect(api[0]?.keyId).toBe((await importKeyRing(CURRENT)).current.id);
    expect(api.slice(1).every((e) => e.keyId === api[1]?.keyId)).toBe(true);
    expect(api[1]?.keyId).toBe((await importKeyRing(newKey)).current.id);
    // The new key is printed exactly once; the current one never.
    expect(run.stdout.split(newKey).length - 1).toBe(1);
    expect(`${run.stdout}${run.stderr}`).not.toContain(CURRENT);
    expect(run.stdout).toContain("rotation is done");
  });

  it("stops before deleting the previous key when a secret opens under neither key", async () => {
    scenario.failed = [{ kind: "mcpServer", id: "mcs_broken" }];
    const run = await rotate([]);
    expect(run.code).toBe(1);
    expect(events().map(step)).not.toContain("wrangler secret delete ENCRYPTION_KEY_PREVIOUS");
    expect(events().map(step)).toContain("wrangler secret put ENCRYPTION_KEY");
    expect(run.stderr).toContain("mcpServer mcs_broken");
    expect(run.stderr).toContain("ENCRYPTION_KEY_PREVIOUS is kept");
    expect(run.stderr).toContain("--finish");
  });

  it("finishes a stopped rotation with the new key as the current one", async () => {
    const run = await rotate(["--finish"], { CURRENT_ENCRYPTION_KEY: CURRENT });
    expect(run.code, run.stderr).toBe(0);
    expect(events().map(step)).toEqual([
      "api 200",
      "api 200 cursor",
      "wrangler secret delete ENCRYPTION_KEY_PREVIOUS",
    ]);
  });

  it("keeps the previous key with --keep-previous (for the other organisations to finish)", async () => {
    const run = await rotate(["--keep-previous"]);
    expect(run.code, run.stderr).toBe(0);
    const steps = events().map(step);
    expect(steps).toContain("wrangler secret put ENCRYPTION_KEY");
    expect(steps.at(-1)).toBe("api 200 cursor");
    expect(steps).not.toContain("wrangler secret delete ENCRYPTION_KEY_PREVIOUS");
  });

  it("changes nothing when the key given is not the Worker's", async () => {
    scenario.workerKey = STRANGER;
    const run = await rotate([]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("is not the key the Worker uses");
    expect(events().map(step)).toEqual(["api 409"]);
  });

  it("stops, with the new key printed, when wrangler cannot put it", async () => {
    const run = await rotate([], { FAKE_WRANGLER_FAIL: "secret put ENCRYPTION_KEY" });
    expect(run.code).toBe(1);
    expect(events().map(step)).toEqual([
      "api 200",
      "wrangler secret put ENCRYPTION_KEY_PREVIOUS",
      "wrangler secret put ENCRYPTION_KEY",
    ]);
    expect(run.stderr).toContain("wrangler secret put ENCRYPTION_KEY failed");
    expect(run.stdout).toContain("new ENCRYPTION_KEY");
  });

  it("refuses a non-admin token before touching anything", async () => {
    const run = await rotate([], { GATEHOUSE_TOKEN: "someone-else" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("organisation:update");
    expect(events().map(step)).toEqual(["api 403"]);
  });

  it("prints the steps and touches nothing with --dry-run", async () => {
    const run = await rotate(["--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(events()).toEqual([]);
    const lines = run.stdout.split("\n").filter((l) => /^\s+\d+\./.test(l));
    expect(
      lines.map((l) =>
        l
          .replace(/^\s+\d+\.\s*/, "")
          .split(" ")
          .slice(0, 4)
          .join(" "),
      ),
    ).toEqual([
      "check that CURRENT_ENCRYPTION_KEY (key",
      "wrangler secret put ENCRYPTION_KEY_PREVIOUS",
      "generate a new 32-byte",
      "wrangler secret put ENCRYPTION_KEY",
      `wait until ${url} uses`,
      "stop here (keeping ENCRYPTION_KEY_PREVIOUS)",
      "wrangler secret delete ENCRYPTION_KEY_PREVIOUS",
    ]);
  });

  it("names what is wrong with the current key", async () => {
    const run = await rotate([], { CURRENT_ENCRYPTION_KEY: "c2hvcnQ=" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("CURRENT_ENCRYPTION_KEY is not 32 bytes");
    expect(events()).toEqual([]);
  });
});
