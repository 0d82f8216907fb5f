#!/usr/bin/env node
// `npm run rotate-key`: replaces the Worker's ENCRYPTION_KEY with a new one and re-encrypts every
// stored secret under it, in place, without a moment when a secret cannot be read:
//   1. checks that the key you give (CURRENT_ENCRYPTION_KEY) is the one the Worker uses;
//   2. `wrangler secret put ENCRYPTION_KEY_PREVIOUS` with it (secrets under it keep opening);
//   3. generates a new 32-byte key, prints it once, `wrangler secret put ENCRYPTION_KEY`;
//   4. waits until the deployed Worker uses the new key (its key id), then calls
//      POST /api/encryption-key/re-encrypt until nothing remains;
//   5. `wrangler secret delete ENCRYPTION_KEY_PREVIOUS`, only when every secret is under the new key.
// If some secret opens under neither key, it stops before step 5 and says which (kind and id);
// after fixing them, `--finish` (with CURRENT_ENCRYPTION_KEY set to the new key) does 4 and 5.
//
// Why the current key is asked for: Cloudflare never returns a secret's value, so the script
// cannot read ENCRYPTION_KEY back to keep it as ENCRYPTION_KEY_PREVIOUS. Give it in the
// environment (CURRENT_ENCRYPTION_KEY) or a file (--current-key-file); never as an argument,
// which other users of the machine can see. Keys reach wrangler on its standard input.
//
// Needs `npx wrangler login` (or CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID), and an admin's
// API token: GATEHOUSE_URL and GATEHOUSE_TOKEN (or --url, --token). The re-encrypt route covers
// the token's organisation only: with several organisations, rotate with --keep-previous, have
// an admin of each other one run --finish --keep-previous, and the last one --finish. Options:
// --dry-run (print the steps, touch nothing), --config <wrangler config> (default:
// .deploy/wrangler.toml, which npm run deploy writes, else wrangler.toml), --finish,
// --keep-previous. For tests: WRANGLER (a Node script run instead of wrangler),
// ROTATE_KEY_POLL_MS, ROTATE_KEY_WAIT_SECONDS.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ROUTE = "/api/encryption-key/re-encrypt";

class Stop extends Error {
  /** @param {string} message what went wrong @param {string} hint what to do */
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}

const Key = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9+/_-]+={0,2}$/, "is not base64")
  .refine((k) => Buffer.from(k, "base64").length === 32, "is not 32 bytes encoded as base64");

const Options = z.object({
  dryRun: z.boolean(),
  finish: z.boolean(),
  keepPrevious: z.boolean(),
  config: z.string().min(1, "--config needs a path"),
  url: z
    .url("GATEHOUSE_URL (or --url) must be the gateway's URL, e.g. https://gatehouse.example.com")
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
  token: z.string().min(1, "GATEHOUSE_TOKEN (or --token) is empty").optional(),
  currentKey: Key.optional(),
});

function parseArgs(argv, env) {
  const defaultConfig = existsSync(join(root, ".deploy", "wrangler.toml"))
    ? join(root, ".deploy", "wrangler.toml")
    : join(root, "wrangler.toml");
  const raw = {
    dryRun: false,
    finish: false,
    keepPrevious: false,
    config: defaultConfig,
    url: env.GATEHOUSE_URL || undefined,
    token: env.GATEHOUSE_TOKEN || undefined,
    currentKey: env.CURRENT_ENCRYPTION_KEY || undefined,
  };
  const value = (i, name) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Stop(`${name} needs a value.`, usage());
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--dry-run") raw.dryRun = true;
    else if (arg === "--finish") raw.finish = true;
    else if (arg === "--keep-previous") raw.keepPrevious = true;
    else if (arg === "--config" || arg === "-c") raw.config = resolve(value(i++, arg));
    else if (arg === "--url") raw.url = value(i++, arg);
    else if (arg === "--token") raw.token = value(i++, arg);
    else if (arg === "--current-key-file") {
      const path = value(i++, arg);
      try {
        raw.currentKey = readFileSync(path, "utf8").trim();
      } catch {
        throw new Stop(`Cannot read --current-key-file ${path}.`, "Give a readable file.");
      }
    } else throw new Stop(`Unknown option ${arg}.`, usage());
  }
  const parsed = Options.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0] === "currentKey" ? "CURRENT_ENCRYPTION_KEY " : "";
    throw new Stop(`${field}${issue?.message ?? "invalid options"}.`, usage());
  }
  return parsed.data;
}

function usage() {
  return [
    "Usage: CURRENT_ENCRYPTION_KEY=<the Worker's key> GATEHOUSE_URL=<url> GATEHOUSE_TOKEN=<admin API token> npm run rotate-key",
    "Options: --dry-run, --config <wrangler config>, --current-key-file <path>, --url <url>, --token <token>, --finish, --keep-previous",
  ].join("\n  ");
}

/** The key's id as the Worker's ciphertexts name it (shared/crypto.ts): 48 bits of SHA-256. */
function keyIdOf(key) {
  const raw = Buffer.from(key.trim(), "base64");
  const label = Buffer.from("gatehouse encryption key id\0", "utf8");
  return createHash("sha256")
    .update(Buffer.concat([label, raw]))
    .digest()
    .subarray(0, 6)
    .toString("base64url");
}

/** Runs wrangler (or the WRANGLER stand-in), giving `input` on its standard input. */
function wrangler(args, input) {
  const bin = process.env.WRANGLER || join(root, "node_modules", "wrangler", "bin", "wrangler.js");
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? 1, output }));
    child.stdin.end(input ?? "");
  });
}

async function wranglerStep(args, input, what) {
  const result = await wrangler(args, input);
  if (result.code !== 0) {
    const tail = result.output.trim().split("\n").slice(-5).join("\n  ");
    throw new Stop(`wrangler ${args.slice(0, 3).join(" ")} failed:\n  ${tail}`, what);
  }
}

/** One call of the re-encrypt route: { status, body }. */
async function reEncrypt(o, body) {
  let res;
  try {
    res = await fetch(`${o.url}${ROUTE}`, {
      method: "POST",
      headers: { authorization: `Bearer ${o.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new Stop(
      `Cannot reach ${o.url} (${error instanceof Error ? error.message : error}).`,
      "Check GATEHOUSE_URL: the gateway's dashboard or Worker URL.",
    );
  }
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (res.status === 401 || res.status === 403) {
    throw new Stop(
      `${o.url} refused the token (${res.status}).`,
      "GATEHOUSE_TOKEN must be an API token of an admin (organisation:update).",
    );
  }
  if (res.status !== 200 && res.status !== 409) {
    const message = parsed?.error?.message ?? text.slice(0, 300);
    throw new Stop(`${ROUTE} answered ${res.status}: ${message}`, "Fix that and run again.");
  }
  return { status: res.status, body: parsed };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls until the Worker answers as holding `keyId`; the first answer's batch is kept. */
async function waitForKey(o, keyId) {
  const pollMs = Number(process.env.ROTATE_KEY_POLL_MS ?? 2000);
  const deadline = Date.now() + Number(process.env.ROTATE_KEY_WAIT_SECONDS ?? 300) * 1000;
  for (;;) {
    const answer = await reEncrypt(o, { keyId });
    if (answer.status === 200) return answer.body;
    if (Date.now() > deadline) {
      throw new Stop(
        `The Worker still does not use the new key (key id ${keyId}).`,
        "Check `wrangler secret list`, then finish with --finish once it does.",
      );
    }
    await sleep(pollMs);
  }
}

/** Re-encrypts until a pass reports nothing more; returns the failures and what remains. */
async function reEncryptPass(o, keyId, first) {
  const failed = [];
  const total = {};
  let answer = first ?? (await waitForKey(o, keyId));
  for (;;) {
    failed.push(...answer.failed);
    for (const [kind, n] of Object.entries(answer.reEncrypted))
      total[kind] = (total[kind] ?? 0) + n;
    if (!answer.more) break;
    const next = await reEncrypt(o, { keyId, cursor: answer.cursor });
    if (next.status !== 200)
      throw new Stop("The Worker's key changed during re-encryption.", "Run again.");
    answer = next.body;
  }
  const remaining = Object.values(answer.remaining).reduce((a, b) => a + b, 0);
  return { failed, total, remaining, scope: answer.scope };
}

function steps(o, hasConfig) {
  const config = `--config ${o.config}${hasConfig ? "" : " (not found)"}`;
  const common = [
    `wait until ${o.url ?? "GATEHOUSE_URL"} uses the new key, then POST ${ROUTE} until nothing remains`,
    "stop here (keeping ENCRYPTION_KEY_PREVIOUS) if any secret opens under neither key",
    o.keepPrevious
      ? "keep ENCRYPTION_KEY_PREVIOUS (--keep-previous)"
      : `wrangler secret delete ENCRYPTION_KEY_PREVIOUS ${config}`,
  ];
  if (o.finish) return common;
  return [
    `check that CURRENT_ENCRYPTION_KEY${o.currentKey ? ` (key id ${keyIdOf(o.currentKey)})` : ""} is the Worker's ENCRYPTION_KEY`,
    `wrangler secret put ENCRYPTION_KEY_PREVIOUS ${config}  (the current key, on stdin)`,
    "generate a new 32-byte key and print it once",
    `wrangler secret put ENCRYPTION_KEY ${config}  (the new key, on stdin)`,
    ...common,
  ];
}

async function main() {
  const o = parseArgs(process.argv.slice(2), process.env);
  const hasConfig = existsSync(o.config);
  if (o.dryRun) {
    console.log(
      `Rotate ENCRYPTION_KEY${o.finish ? " (finish)" : ""}, dry run: nothing is changed.`,
    );
    for (const [i, line] of steps(o, hasConfig).entries()) console.log(`  ${i + 1}. ${line}`);
    return;
  }
  if (!hasConfig) throw new Stop(`No wrangler config at ${o.config}.`, "Give one with --config.");
  if (!o.url || !o.token) {
    throw new Stop("GATEHOUSE_URL and GATEHOUSE_TOKEN are needed.", usage());
  }
  if (!o.currentKey) {
    throw new Stop(
      "CURRENT_ENCRYPTION_KEY is needed: Cloudflare cannot give a secret's value back.",
      `Set it (or --current-key-file) to the Worker's ENCRYPTION_KEY${o.finish ? ", which is now the new key" : ""}.`,
    );
  }
  const api = { url: o.url, token: o.token };
  const cfg = ["--config", o.config];
  let newKeyId = keyIdOf(o.currentKey);
  let first;

  if (!o.finish) {
    const currentId = keyIdOf(o.currentKey);
    const check = await reEncrypt(api, { keyId: currentId });
    if (check.status === 409) {
      throw new Stop(
        `CURRENT_ENCRYPTION_KEY (key id ${currentId}) is not the key the Worker uses.`,
        "Give the Worker's current ENCRYPTION_KEY; nothing was changed.",
      );
    }
    console.log(`✓ The Worker uses the key you gave (key id ${currentId}).`);
    await wranglerStep(
      ["secret", "put", "ENCRYPTION_KEY_PREVIOUS", ...cfg],
      o.currentKey,
      "Nothing else was changed; run again.",
    );
    console.log("✓ ENCRYPTION_KEY_PREVIOUS set to the current key.");
    const newKey = randomBytes(32).toString("base64");
    newKeyId = keyIdOf(newKey);
    console.log(
      [
        "",
        "  The new ENCRYPTION_KEY (shown this once; store it where you keep secrets now):",
        "",
        `    ${newKey}`,
        "",
      ].join("\n"),
    );
    await wranglerStep(
      ["secret", "put", "ENCRYPTION_KEY", ...cfg],
      newKey,
      "ENCRYPTION_KEY_PREVIOUS holds the current key, and the Worker still uses it: run again.",
    );
    console.log(`✓ ENCRYPTION_KEY set to the new key (key id ${newKeyId}).`);
    first = await waitForKey(api, newKeyId);
    console.log("✓ The Worker uses the new key.");
  } else {
    first = await waitForKey(api, newKeyId);
  }

  let pass = await reEncryptPass(api, newKeyId, first);
  if (pass.failed.length === 0 && pass.remaining > 0) pass = await reEncryptPass(api, newKeyId);
  const counts = Object.entries(pass.total)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  console.log(`✓ Re-encrypted: ${counts}. ${pass.scope ?? ""}`);
  if (pass.failed.length > 0 || pass.remaining > 0) {
    const list = pass.failed.map((f) => `${f.kind} ${f.id}`).join(", ");
    throw new Stop(
      pass.failed.length > 0
        ? `${pass.failed.length} secret(s) open under neither key: ${list}. ENCRYPTION_KEY_PREVIOUS is kept.`
        : `${pass.remaining} secret(s) are still not under the new key. ENCRYPTION_KEY_PREVIOUS is kept.`,
      "Save those secrets again in the dashboard (or delete them), then run: " +
        "CURRENT_ENCRYPTION_KEY=<the new key> npm run rotate-key -- --finish",
    );
  }
  if (o.keepPrevious) {
    console.log(
      "✓ This organisation's secrets are under the new key; ENCRYPTION_KEY_PREVIOUS is kept (--keep-previous).",
    );
    return;
  }
  await wranglerStep(
    ["secret", "delete", "ENCRYPTION_KEY_PREVIOUS", ...cfg],
    undefined,
    "Every secret is under the new key; delete ENCRYPTION_KEY_PREVIOUS by hand.",
  );
  console.log("✓ ENCRYPTION_KEY_PREVIOUS deleted. The rotation is done.");
}

main().catch((error) => {
  if (error instanceof Stop) {
    console.error(`✘ ${error.message}\n  ${error.hint}`);
  } else {
    console.error(`✘ ${error instanceof Error ? error.message : error}`);
  }
  process.exitCode = 1;
});
