// `npm run bench:workerd`: Gatehouse's Worker measured without wrangler dev's proxy. The
// Worker is bundled as `wrangler deploy` would bundle it and run by Miniflare's workerd on a
// socket of its own (local D1 and Durable Objects, logging and key checks on), so requests
// and the Worker's own upstream fetches no longer cross wrangler's Node process and dev-proxy
// workerd. This is the nearest local stand-in for the deployed hot path; `npm run bench` keeps
// measuring what `npm start` gives.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { PROVIDER_KEY, startFakeUpstreamThread } from "./fake-upstream.mjs";
import { percentile } from "./stats.mjs";
import { freePort, gatehouseTarget, WRANGLER_ENV } from "./targets.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const JSON_REQUESTS = 400;
const STREAMS = 20;
const THROUGHPUT_MS = 5_000;

/** Bundles the Worker exactly as a deploy would, into a temp directory. */
function bundle() {
  const out = mkdtempSync(join(tmpdir(), "gatehouse-bundle-"));
  const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
  const result = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", out], {
    cwd: root,
    env: { ...process.env, ...WRANGLER_ENV },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`bundling failed:\n${result.stdout}${result.stderr}`);
  return out;
}

async function startWorker(bundleDir, port) {
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(bundleDir, "index.js"),
    modulesRoot: bundleDir,
    compatibilityDate: "2026-04-20",
    compatibilityFlags: ["nodejs_compat"],
    d1Databases: { DB: "gatehouse" },
    durableObjects: { USER_GATE: "UserGate", LIMIT_GATE: "LimitGate" },
    bindings: {
      ENVIRONMENT: "development",
      PUBLIC_ORIGIN: "",
      UPSTREAM_TIMEOUT_MS: "600000",
      MAX_REQUEST_BYTES: "33554432",
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      SETUP_TOKEN: "bench",
    },
    unsafeDirectSockets: [{ host: "127.0.0.1", port }],
  });
  await mf.ready;
  const d1 = await mf.getD1Database("DB");
  const dir = join(root, "d1", "migrations");
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const statement of readFileSync(join(dir, file), "utf8").split(
      "--> statement-breakpoint",
    )) {
      if (statement.trim()) await d1.prepare(statement).run();
    }
  }
  return mf;
}

const body = (stream) =>
  JSON.stringify({
    model: "claude-haiku-4-5",
    max_tokens: 1,
    stream,
    messages: [{ role: "user", content: "hi" }],
  });

/** One request: total time, time to first body byte, largest gap between two chunks. */
async function once(target, stream) {
  const started = performance.now();
  const res = await fetch(target.url, {
    method: "POST",
    headers: target.headers,
    body: body(stream),
  });
  const reader = res.body.getReader();
  let first;
  let last = started;
  let gap = 0;
  for (;;) {
    const { done } = await reader.read();
    const now = performance.now();
    if (first === undefined) first = now - started;
    else gap = Math.max(gap, now - last);
    last = now;
    if (done) break;
  }
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return { total: performance.now() - started, first, gap };
}

const p = (values, q) =>
  percentile(
    [...values].sort((a, b) => a - b),
    q,
  );
const ms = (n) => `${n.toFixed(2)} ms`;

async function main() {
  const fake = await startFakeUpstreamThread();
  const bundleDir = bundle();
  const port = await freePort();
  const mf = await startWorker(bundleDir, port);
  try {
    const { target: gatehouse } = await gatehouseTarget(`http://127.0.0.1:${port}`, fake.url);
    const direct = {
      url: `${fake.url}/v1/messages`,
      headers: {
        "x-api-key": PROVIDER_KEY,
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
      },
    };
    for (let i = 0; i < 30; i++) await Promise.all([once(direct, false), once(gatehouse, false)]);
    const rows = [];
    for (const stream of [false, true]) {
      const n = stream ? STREAMS : JSON_REQUESTS;
      const d = [];
      const g = [];
      for (let i = 0; i < n; i++) {
        d.push(await once(direct, stream));
        g.push(await once(gatehouse, stream));
      }
      const pick = stream ? "first" : "total";
      const added50 =
        p(
          g.map((x) => x[pick]),
          50,
        ) -
        p(
          d.map((x) => x[pick]),
          50,
        );
      const added99 =
        p(
          g.map((x) => x[pick]),
          99,
        ) -
        p(
          d.map((x) => x[pick]),
          99,
        );
      rows.push(
        `${stream ? "first streamed byte" : "non-streaming total"}, c=1: added p50 ${ms(added50)}, p99 ${ms(added99)}` +
          (stream
            ? `; largest gap between chunks: direct ${ms(Math.max(...d.map((x) => x.gap)))}, gatehouse ${ms(Math.max(...g.map((x) => x.gap)))}`
            : ""),
      );
    }
    for (const [name, target] of [
      ["direct", direct],
      ["gatehouse", gatehouse],
    ]) {
      const started = performance.now();
      let ok = 0;
      let failed = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (performance.now() - started < THROUGHPUT_MS) {
            await once(target, false).then(
              () => ok++,
              () => failed++,
            );
          }
        }),
      );
      rows.push(
        `${name}, non-streaming, c=50: ${(ok / ((performance.now() - started) / 1000)).toFixed(0)} req/s, ${failed} failed`,
      );
    }
    console.log(
      `Gatehouse's Worker in workerd without wrangler dev (${new Date().toISOString()}):`,
    );
    for (const row of rows) console.log(`- ${row}`);
  } finally {
    await mf.dispose();
    await fake.close();
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

await main();
