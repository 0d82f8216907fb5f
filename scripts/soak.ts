// `npm run soak` (not in CI): N clients streaming through Gatehouse as `npm start` runs it for M
// seconds, each starting a new stream as soon as its last one ends, some walking away mid-way.
// Prints the resident memory of the gateway's whole process tree over time, so a leak shows as
// a climb that does not level off, and checks at the end that every stream left its log row.
//
// Environment: SOAK_STREAMS (default 50), SOAK_SECONDS (default 60), SOAK_SAMPLE_SECONDS
// (default 5), SOAK_TARGET=workerd for the Worker alone in workerd (as the bench runs it: no
// wrangler processes, the closest to a deployed Worker), to tell its memory from wrangler's.
import { rmSync } from "node:fs";
import { processTree, rssKb } from "../bench/processes.mjs";
import { bundleWorker, startGatehouseWorkerd } from "../bench/workerd-host.mjs";
import { freePort, startGateway } from "../test/e2e/gateway-process";
import { startFakeAnthropic } from "../test/fakes/anthropic-upstream";
import { arrange } from "./check-usage/arrange";
import { send } from "./check-usage/send";

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

const streams = Number(process.env.SOAK_STREAMS ?? 50);
const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const sampleSeconds = Number(process.env.SOAK_SAMPLE_SECONDS ?? 5);
const RUN = `soak${Date.now().toString(36)}`;
/** One stream in this many is left by its client after a few events. */
const LEAVE_EVERY = 5;

function treeRssMb(): number {
  return byProcess().reduce((sum, p) => sum + p.mb, 0);
}

/** The gateway's processes (this script's descendants) and the RSS of each, largest first. */
function byProcess(): { pid: number; comm: string; mb: number }[] {
  return processTree(process.pid)
    .filter((p) => p.pid !== process.pid)
    .map((p) => ({ pid: p.pid, comm: p.comm, mb: rssKb(p.pid) / 1024 }))
    .sort((a, b) => b.mb - a.mb);
}

const describe = (list: { pid: number; comm: string; mb: number }[]) =>
  list
    .filter((p) => p.mb >= 1)
    .map((p) => `${p.comm}[${p.pid}] ${p.mb.toFixed(0)}`)
    .join(", ");

/** Gatehouse as `npm start` runs it, or (SOAK_TARGET=workerd) the Worker alone in workerd. */
async function startTarget(): Promise<{ url: string; stop: () => Promise<void> }> {
  // Quiet wrangler: a log line per request would be part of what the soak measures.
  if (process.env.SOAK_TARGET !== "workerd") return startGateway({ WRANGLER_LOG_LEVEL: "warn" });
  const root = process.cwd();
  const dir = bundleWorker(root);
  const port = await freePort();
  const { mf } = await startGatehouseWorkerd(root, dir, port);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const fake = await startFakeAnthropic();
  const gateway = await startTarget();
  const stop = async () => {
    await gateway.stop();
    await fake.close();
  };
  process.once("SIGINT", () => void stop().finally(() => process.exit(130)));
  try {
    const session = await arrange(gateway.url, fake.url);
    let sent = 0;
    let failed = 0;
    let left = 0;
    const one = async (index: number) => {
      const leave = index % LEAVE_EVERY === 0;
      if (leave) left++;
      const status = await send(gateway.url, session, {
        agentId: `${RUN}-${index}`,
        content: "[fake:drip:200:5]",
        stream: true,
        abort: leave ? { kind: "after-events", events: 5, delayMs: 0 } : undefined,
      });
      if (status !== 200) failed++;
    };

    const started = Date.now();
    const until = started + seconds * 1000;
    const samples: { at: number; mb: number }[] = [{ at: 0, mb: treeRssMb() }];
    console.log(`${streams} concurrent streams for ${seconds} s; RSS of the gateway's tree:`);
    console.log(`  0 s  ${samples[0]?.mb.toFixed(0)} MB (before: ${describe(byProcess())})`);
    const sampler = setInterval(() => {
      const sample = { at: Math.round((Date.now() - started) / 1000), mb: treeRssMb() };
      samples.push(sample);
      console.log(`  ${sample.at} s  ${sample.mb.toFixed(0)} MB  (${sent} streams so far)`);
    }, sampleSeconds * 1000);
    await Promise.all(
      Array.from({ length: streams }, async () => {
        while (Date.now() < until) await one(sent++);
      }),
    );
    clearInterval(sampler);
    console.log(`  by process at the end (MB): ${describe(byProcess())}`);

    const rows = await session.rowsUntil(RUN, sent, 120_000);
    const mid = samples[Math.floor(samples.length / 2)]?.mb ?? 0;
    const last = samples.at(-1)?.mb ?? 0;
    const peak = Math.max(...samples.map((s) => s.mb));
    console.log(
      `\n${sent} streams (${left} left mid-way), ${failed} failed; ` +
        `${rows.length} log rows; RSS peak ${peak.toFixed(0)} MB, ` +
        `second half ${mid.toFixed(0)} → ${last.toFixed(0)} MB`,
    );
    process.exitCode = failed === 0 && rows.length === sent ? 0 : 1;
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
