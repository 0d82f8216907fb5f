// `npm run check:usage`: "usage is never lost", checked from the outside. Starts Gatehouse as
// `npm start` runs it and the fake Anthropic on loopback, sends a seeded mix of requests at
// a fixed concurrency through real sockets (streams that complete, clients that close their
// socket mid-stream, in a silent stretch or before the headers, upstream cuts, clean ends
// without `message_stop`, error events, 5xx and 529, JSON bodies), then compares what the
// provider reported with what Gatehouse stored: one log row per request, the same tokens,
// and no budget hold left behind. Exits non-zero on any difference.
//
// Environment: CHECK_USAGE_REQUESTS (default 1000), CHECK_USAGE_CONCURRENCY (default 20),
// CHECK_USAGE_SEED (default 1).
//
// The gateway runs with a 5 s provider timeout (its own .dev.vars in a temp directory): locally,
// workerd does not notice a client that closes an idle connection (before the provider's
// headers, or while a stream is silent), so those requests end at that timeout here; deployed,
// Cloudflare's edge cancels the request and `request.signal` ends them at once (tested in
// test/workers/proxy-endings.test.ts).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningGateway, startGateway } from "../test/e2e/gateway-process";
import {
  type FakeAnthropic,
  startFakeAnthropic,
  type Usage,
} from "../test/fakes/anthropic-upstream";
import { type AdminSession, arrange } from "./check-usage/arrange";
import { KINDS, type Kind, type Planned, plan } from "./check-usage/plan";
import { send } from "./check-usage/send";

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

const total = Number(process.env.CHECK_USAGE_REQUESTS ?? 1000);
const concurrency = Number(process.env.CHECK_USAGE_CONCURRENCY ?? 20);
const seed = Number(process.env.CHECK_USAGE_SEED ?? 1);
const RUN = `u${Date.now().toString(36)}`;

interface StoredRow {
  id: string;
  agentId: string | null;
  status: number;
  errorType: string | null;
  clientGone: boolean;
  inputTokens: number;
  outputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
}

/** Sends every planned request, `concurrency` at a time; the status each client saw. */
async function runAll(gateway: string, session: AdminSession, planned: Planned[]) {
  const seen: (number | undefined)[] = new Array(planned.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < planned.length; i = next++) {
      const p = planned[i];
      if (!p) continue;
      const content = `${RUN} #${p.index} ${p.marker}`;
      seen[i] = await send(gateway, session, { ...p, agentId: `${RUN}-${p.index}`, content });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return seen;
}

function tokensOf(u: Usage | null) {
  return {
    input: u?.input_tokens ?? 0,
    output: u?.output_tokens ?? 0,
    write5m: u?.cache_creation?.ephemeral_5m_input_tokens ?? u?.cache_creation_input_tokens ?? 0,
    write1h: u?.cache_creation?.ephemeral_1h_input_tokens ?? 0,
    read: u?.cache_read_input_tokens ?? 0,
  };
}

function storedTokens(r: StoredRow) {
  return {
    input: r.inputTokens,
    output: r.outputTokens,
    write5m: r.cacheWrite5mTokens,
    write1h: r.cacheWrite1hTokens,
    read: r.cacheReadTokens,
  };
}

/** A secrets file of the run's own: a fresh key, and the short provider timeout. */
function devVars(): string {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-check-usage-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, ".dev.vars");
  const key = randomBytes(32).toString("base64");
  writeFileSync(path, `ENCRYPTION_KEY=${key}\nUPSTREAM_TIMEOUT_MS=5000\n`, { mode: 0o600 });
  return path;
}

const sum = (t: ReturnType<typeof tokensOf>) => t.input + t.output + t.write5m + t.write1h + t.read;

async function main() {
  const started = Date.now();
  let fake: FakeAnthropic | undefined;
  let gateway: RunningGateway | undefined;
  const stop = async () => {
    await gateway?.stop();
    await fake?.close();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void stop().finally(() => process.exit(130));
    });
  }
  try {
    fake = await startFakeAnthropic();
    console.log("starting Gatehouse as npm start runs it…");
    gateway = await startGateway({ GATEHOUSE_DEV_VARS: devVars() });
    const session = await arrange(gateway.url, fake.url);
    const planned = plan(total, seed);
    const aborts = planned.filter((p) => p.abort).length;
    console.log(
      `${total} requests at concurrency ${concurrency} (seed ${seed}), ` +
        `${aborts} client aborts (${((100 * aborts) / total).toFixed(1)} %)`,
    );
    fake.reset();
    const sending = Date.now();
    const seen = await runAll(gateway.url, session, planned);
    console.log(`sent in ${((Date.now() - sending) / 1000).toFixed(1)} s`);

    const rows = await session.rowsUntil<StoredRow>(RUN, total, 60_000);
    // The provider's side of every request (read once the rows are in, so that answers still
    // being sent have ended), by the index its message carries: the gateway keeps its own
    // headers, the agent id among them, from the provider.
    const reported = new Map<string, Usage | null>();
    const tag = new RegExp(`${RUN} #(\\d+) `);
    for (const r of fake.requests()) {
      const index = tag.exec(r.body)?.[1];
      if (index !== undefined) reported.set(`${RUN}-${index}`, r.usage);
    }

    const byAgent = new Map<string, StoredRow[]>();
    for (const row of rows) {
      const list = byAgent.get(row.agentId ?? "") ?? [];
      list.push(row);
      byAgent.set(row.agentId ?? "", list);
    }

    const perKind = new Map<
      Kind,
      { sent: number; rows: number; lost: number; off: number; endings: Map<string, number> }
    >();
    for (const k of KINDS)
      perKind.set(k, { sent: 0, rows: 0, lost: 0, off: 0, endings: new Map() });
    let missing = 0;
    let duplicated = 0;
    let tokensReported = 0;
    let tokensStored = 0;
    let mismatched = 0;
    const examples: string[] = [];
    for (const p of planned) {
      const agent = `${RUN}-${p.index}`;
      const stats = perKind.get(p.kind);
      if (stats) stats.sent++;
      const list = byAgent.get(agent) ?? [];
      if (list.length === 0) missing++;
      if (list.length > 1) duplicated += list.length - 1;
      const row = list[0];
      if (stats && row) {
        stats.rows++;
        const ending = `${row.status} ${row.errorType ?? "ok"}${row.clientGone ? " gone" : ""}`;
        stats.endings.set(ending, (stats.endings.get(ending) ?? 0) + 1);
      }
      if (stats && !row) stats.lost++;
      const expected = tokensOf(reported.get(agent) ?? null);
      tokensReported += sum(expected);
      if (!row) continue;
      const stored = storedTokens(row);
      tokensStored += sum(stored);
      if (JSON.stringify(stored) !== JSON.stringify(expected)) {
        mismatched++;
        if (stats) stats.off++;
        if (examples.length < 5) {
          examples.push(
            `${p.kind} #${p.index}: provider ${JSON.stringify(expected)}, stored ${JSON.stringify(stored)} (${row.errorType ?? "ok"}, client saw ${seen[p.index] ?? "-"})`,
          );
        }
      }
    }
    const holds = await session.holdsLeft();

    console.log(
      `\n${"kind".padEnd(32)}  sent  rows  lost  tokens off  rows (status, error, client gone)`,
    );
    for (const [kind, s] of perKind) {
      if (s.sent === 0) continue;
      const endings = [...s.endings].map(([e, n]) => `${n}× ${e}`).join(", ");
      console.log(
        `${kind.padEnd(32)} ${[s.sent, s.rows, s.lost].map((n) => String(n).padStart(5)).join(" ")} ${String(s.off).padStart(11)}  ${endings}`,
      );
    }
    console.log(
      `\nrows: expected ${total}, stored ${total - missing} (missing ${missing}, duplicated ${duplicated})`,
    );
    console.log(
      `tokens: reported by the provider ${tokensReported}, stored ${tokensStored} (${mismatched} rows differ)`,
    );
    console.log(
      `holds left: ${holds.reserved} reserved across ${holds.limits} limits` +
        (holds.unreadable > 0 ? ` (${holds.unreadable} unreadable)` : ""),
    );
    for (const e of examples) console.log(`  ${e}`);
    const ok =
      missing === 0 &&
      duplicated === 0 &&
      mismatched === 0 &&
      tokensReported === tokensStored &&
      holds.reserved === 0 &&
      holds.unreadable === 0;
    console.log(
      `\n${ok ? "OK" : "FAILED"}: usage check in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
