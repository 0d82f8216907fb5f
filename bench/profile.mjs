// Where the Worker's CPU goes: the bundled Worker in workerd (as `npm run bench:workerd` runs
// it), with V8's sampling profiler on through workerd's inspector, under a closed loop of
// non-streaming or streaming requests. Prints the functions with the most self time (the
// gate Durable Objects run in the same isolate, so their code is in it too) and writes the
// .cpuprofile, to open in Chrome DevTools. The profiler slows the Worker down several times:
// read the shares, not the absolute times.
//
//   npm run bench:profile -- [json|stream] [requests] [concurrency]
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { startFakeUpstreamThread } from "./fake-upstream.mjs";
import { closedLoop, workloads } from "./measure.mjs";
import { freePort, gatehouseTarget } from "./targets.mjs";
import { bundleWorker, startGatehouseWorkerd } from "./workerd-host.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const [kind = "json", requestsArg = "3000", concurrencyArg = "1"] = process.argv.slice(2);
const requests = Number(requestsArg);
const concurrency = Number(concurrencyArg);
const TOP = 40;

/** A CDP session over workerd's inspector socket. */
async function inspect(inspectorPort) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
  const worker = targets.find((t) => !String(t.title).includes("miniflare")) ?? targets[0];
  const ws = new WebSocket(worker.webSocketDebuggerUrl);
  await new Promise((ok, fail) => {
    ws.once("open", ok);
    ws.once("error", fail);
  });
  let next = 1;
  const waiting = new Map();
  ws.on("message", (data) => {
    const message = JSON.parse(String(data));
    const w = waiting.get(message.id);
    if (!w) return;
    waiting.delete(message.id);
    if (message.error) w.fail(new Error(JSON.stringify(message.error)));
    else w.ok(message.result);
  });
  const send = (method, params = {}) =>
    new Promise((ok, fail) => {
      const id = next++;
      waiting.set(id, { ok, fail });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close(), titles: targets.map((t) => t.title) };
}

/** Self time per function (and per file), from a .cpuprofile. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    hits.set(id, (hits.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const total = [...hits.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  for (const [id, us] of hits) {
    const { callFrame } = byId.get(id);
    const file = callFrame.url.split("/").pop() || "(native)";
    const key = `${callFrame.functionName || "(anonymous)"}  ${file}:${callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  return { total, rows: [...byFunction].sort((a, b) => b[1] - a[1]) };
}

async function main() {
  const fake = await startFakeUpstreamThread({});
  const dir = bundleWorker(root);
  const port = await freePort();
  const inspectorPort = await freePort();
  let mf;
  try {
    await startGatehouseWorkerd(
      root,
      dir,
      port,
      (m) => {
        mf = m;
      },
      { inspectorPort },
    );
    const { target } = await gatehouseTarget(`http://127.0.0.1:${port}`, fake.url);
    const workload = workloads(200).find((w) => w.name === kind);
    if (!workload) throw new Error(`unknown workload ${kind}`);
    const plan = { concurrency, count: Math.ceil(requests / 5), capMs: 60_000, timeoutMs: 30_000 };
    await closedLoop(target, workload, plan);
    const session = await inspect(inspectorPort);
    console.log(`inspector targets: ${session.titles.join(", ")}`);
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 100 });
    await session.send("Profiler.start");
    const t0 = performance.now();
    const loops = await closedLoop(target, workload, { ...plan, count: requests });
    const seconds = (performance.now() - t0) / 1000;
    const { profile } = await session.send("Profiler.stop");
    session.close();
    const out = join(mkdtempSync(join(tmpdir(), "gatehouse-profile-")), `${kind}.cpuprofile`);
    writeFileSync(out, JSON.stringify(profile));
    const ok = loops.results.filter((r) => r.ok).length;
    const { total, rows } = selfTimes(profile);
    console.log(
      `${kind} c=${concurrency}: ${ok}/${requests} ok in ${seconds.toFixed(1)} s; sampled ${(total / 1000).toFixed(0)} ms (${(total / 1000 / requests).toFixed(3)} ms per request); profile ${out}`,
    );
    for (const [key, us] of rows.slice(0, TOP)) {
      console.log(
        `${(us / 1000 / requests).toFixed(4).padStart(8)} ms/req ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`,
      );
    }
  } finally {
    await mf?.dispose();
    await fake.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
