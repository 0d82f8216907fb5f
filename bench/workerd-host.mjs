// Serving a Worker with workerd alone, as `npm run bench:workerd` and `npm run bench:breakdown`
// do: bundled as `wrangler deploy` bundles it, then run by Miniflare's workerd on a socket of
// its own (no wrangler process on the request path).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { processTree, untilIdle } from "./processes.mjs";
import { WRANGLER_ENV } from "./targets.mjs";

/** Waiting for workerd to go idle between slices ends after this long in any case. */
const SETTLE_MAX_MS = 2_000;

/**
 * Bundles a Worker exactly as a deploy would (`wrangler deploy --dry-run`), into a new temp
 * directory, and returns it (index.js inside).
 * @param {string} root The repository (wrangler from its node_modules).
 * @param {string} [config] A wrangler config file; default: the repository's own.
 */
export function bundleWorker(root, config) {
  const out = mkdtempSync(join(tmpdir(), "gatehouse-bundle-"));
  const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
  const args = [wrangler, "deploy", "--dry-run", "--outdir", out];
  if (config) args.push("--config", config);
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...WRANGLER_ENV },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`bundling failed:\n${result.stdout}${result.stderr}`);
  return out;
}

/**
 * The workerd processes now in our process tree (Miniflare starts one per instance).
 * @returns {number[]}
 */
export function ourWorkerdPids() {
  return processTree(process.pid)
    .filter((p) => p.comm === "workerd")
    .map((p) => p.pid);
}

/**
 * Starts a Miniflare instance and returns it with the pids of the workerd it started.
 * `onStarted` gets it before it is ready, so that a failing start can still be disposed of.
 * @param {import("miniflare").MiniflareOptions} options
 * @param {(mf: Miniflare) => void} [onStarted]
 */
export async function startWorkerd(options, onStarted) {
  const before = new Set(ourWorkerdPids());
  const mf = new Miniflare(options);
  onStarted?.(mf);
  await mf.ready;
  const pids = ourWorkerdPids().filter((pid) => !before.has(pid));
  return { mf, pids };
}

/**
 * The compatibility date and flags of the repository's wrangler.toml, so that the Worker runs
 * here as it is deployed (a flag such as enable_request_signal changes the request path).
 * @param {string} root
 */
function compatibility(root) {
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1];
  if (!date || flags === undefined) {
    throw new Error("wrangler.toml has no compatibility_date or compatibility_flags");
  }
  return {
    compatibilityDate: date,
    compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]),
  };
}

/**
 * The telemetry queue as the root's wrangler.toml declares it (none before it had one): the
 * producer binding and the consumer's batching, so the Worker's queue() runs as deployed.
 * @param {string} root
 */
function telemetryQueue(root) {
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  if (!toml.includes("[[queues.producers]]")) return {};
  const timeout = Number(/^max_batch_timeout\s*=\s*(\d+)/m.exec(toml)?.[1] ?? 5);
  return {
    queueProducers: { TELEMETRY: { queueName: "gatehouse-telemetry" } },
    queueConsumers: {
      "gatehouse-telemetry": {
        maxBatchSize: 100,
        maxBatchTimeout: timeout,
        maxRetries: 100,
        deadLetterQueue: "gatehouse-telemetry-dead",
      },
      "gatehouse-telemetry-dead": { maxBatchSize: 100, maxBatchTimeout: 5 },
    },
  };
}

/**
 * The Durable Objects and KV namespaces the root's wrangler.toml declares, so the Worker has
 * every binding it has when deployed (an old checkout, bench:before-after's, declares fewer).
 * Classes its migrations create with new_sqlite_classes get SQLite storage, as deployed: the
 * export outbox needs it for ctx.storage.sql.
 * @param {string} root
 */
function storageBindings(root) {
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  const sqlite = new Set(
    [...toml.matchAll(/^new_sqlite_classes\s*=\s*\[([^\]]*)\]/gm)].flatMap((m) =>
      [...m[1].matchAll(/"([^"]+)"/g)].map((c) => c[1]),
    ),
  );
  /** @type {Record<string, { className: string, useSQLite: boolean }>} */
  const durableObjects = {};
  /** @type {Record<string, string>} */
  const kvNamespaces = {};
  for (const table of toml.split(/^\[\[/m).slice(1)) {
    const name = /^name\s*=\s*"([^"]+)"/m.exec(table)?.[1];
    const className = /^class_name\s*=\s*"([^"]+)"/m.exec(table)?.[1];
    const binding = /^binding\s*=\s*"([^"]+)"/m.exec(table)?.[1];
    if (table.startsWith("durable_objects.bindings]]") && name && className) {
      durableObjects[name] = { className, useSQLite: sqlite.has(className) };
    } else if (table.startsWith("kv_namespaces]]") && binding) {
      kvNamespaces[binding] = `gatehouse-${binding.toLowerCase()}`;
    }
  }
  if (!durableObjects.USER_GATE) throw new Error("wrangler.toml declares no USER_GATE");
  return { durableObjects, kvNamespaces };
}

/**
 * Gatehouse's bundled Worker in workerd on `port`: local D1 with the migrations applied, the
 * Durable Objects and KV namespaces of wrangler.toml (the export outbox among them), the
 * bindings `npm start` gives it (development, so /api/setup runs).
 * @param {string} root
 * @param {string} dir From bundleWorker(root).
 * @param {number} port
 * @param {(mf: Miniflare) => void} [onStarted]
 * @param {{ inspectorPort?: number }} [extra] With V8's inspector on that port (bench:profile).
 */
export async function startGatehouseWorkerd(root, dir, port, onStarted, extra = {}) {
  const started = await startWorkerd(
    {
      ...extra,
      modules: true,
      scriptPath: join(dir, "index.js"),
      modulesRoot: dir,
      ...compatibility(root),
      ...telemetryQueue(root),
      d1Databases: { DB: "gatehouse" },
      ...storageBindings(root),
      bindings: {
        ENVIRONMENT: "development",
        PUBLIC_ORIGIN: "",
        UPSTREAM_TIMEOUT_MS: "600000",
        MAX_REQUEST_BYTES: "33554432",
        ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
        SETUP_TOKEN: "bench",
      },
      unsafeDirectSockets: [{ host: "127.0.0.1", port }],
    },
    onStarted,
  );
  const d1 = await started.mf.getD1Database("DB");
  const migrations = join(root, "d1", "migrations");
  for (const file of readdirSync(migrations)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const statement of readFileSync(join(migrations, file), "utf8").split(
      "--> statement-breakpoint",
    )) {
      if (statement.trim()) await d1.prepare(statement).run();
    }
  }
  return started;
}

/**
 * Waits (up to 2 s) until the given workerd processes together use less than a tenth of a
 * core.
 * @param {number[]} pids
 */
export function settleWorkerd(pids) {
  return untilIdle([pids], SETTLE_MAX_MS);
}
