// The telemetry queue's consumer (the Worker's queue() handler). Each batch is stored in one D1
// transaction (write-batch.ts). When that fails, the messages are stored one by one to tell a
// bad row from a failing D1:
// - some go in: the ones D1 refuses are dead-lettered with D1's reason, the others are kept;
// - none goes in: D1 itself is failing, so every message is retried later with backoff (a
//   message alone in its batch is dead-lettered once it has failed MAX_ATTEMPTS times, which
//   only succeeds when D1 is up and refusing that one row).
// A message of an unknown shape or version is dead-lettered at once. Messages the queue itself
// gives up on reach the dead-letter queue, whose consumer keeps them the same way.
import type { TelemetryDeadLetter } from "../../d1/schema";
import { exportTelemetry } from "../observability/export";
import { deadLetterOf, deadLetterStatement } from "./dead-letters";
import { parseTelemetry, type TelemetryMessage } from "./message";
import { writeTelemetry } from "./write-batch";

export const TELEMETRY_QUEUE = "gatehouse-telemetry";
export const DEAD_LETTER_QUEUE = "gatehouse-telemetry-dead";

/** Deliveries of a message alone in its batch before D1's refusal is taken as final. */
export const MAX_ATTEMPTS = 5;
const FIRST_RETRY_SECONDS = 5;
const MAX_RETRY_SECONDS = 300;

type Incoming = Message<unknown>;

export async function consumeTelemetry(
  batch: MessageBatch<unknown>,
  env: Env,
  ctx?: Pick<ExecutionContext, "waitUntil">,
): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE) return keepDeadLetters(batch, env);
  const dead: [Incoming, string][] = [];
  const valid: [Incoming, TelemetryMessage][] = [];
  for (const incoming of batch.messages) {
    const parsed = parseTelemetry(incoming.body);
    if (parsed.ok) valid.push([incoming, parsed.message]);
    else dead.push([incoming, parsed.reason]);
  }
  const { stored, refused, failed } = await store(env.DB, valid);
  for (const [incoming, reason] of refused) {
    if (incoming.attempts >= MAX_ATTEMPTS || stored.length > 0) dead.push([incoming, reason]);
    else failed.push(incoming);
  }
  const kept = await keep(env.DB, dead);
  for (const incoming of [...stored, ...kept]) incoming.ack();
  for (const incoming of failed) incoming.retry({ delaySeconds: backoff(incoming.attempts) });
  // Spans and metrics leave only for what D1 holds, after the batch is acknowledged: an
  // exporter that is down or slow never holds a row back.
  const storedSet = new Set(stored);
  const exported = valid.filter(([incoming]) => storedSet.has(incoming)).map(([, m]) => m);
  if (exported.length > 0) {
    const work = exportTelemetry(env, exported);
    if (ctx) ctx.waitUntil(work);
    else await work;
  }
}

/** Stores messages: all at once, else one by one (see the top of this file). */
async function store(
  d1: D1Database,
  valid: [Incoming, TelemetryMessage][],
): Promise<{ stored: Incoming[]; refused: [Incoming, string][]; failed: Incoming[] }> {
  const all = valid.map(([incoming]) => incoming);
  try {
    await writeTelemetry(
      d1,
      valid.map(([, message]) => message),
    );
    return { stored: all, refused: [], failed: [] };
  } catch (err) {
    if (valid.length === 1)
      return { stored: [], refused: [[all[0] as Incoming, reasonOf(err)]], failed: [] };
    console.error(
      `telemetry: batch of ${valid.length} refused (${reasonOf(err)}); storing one by one`,
    );
  }
  const stored: Incoming[] = [];
  const refused: [Incoming, string][] = [];
  for (const [incoming, message] of valid) {
    try {
      await writeTelemetry(d1, [message]);
      stored.push(incoming);
    } catch (err) {
      refused.push([incoming, reasonOf(err)]);
    }
  }
  // None went in: D1 is failing, not the rows. Everything waits for a later delivery.
  if (stored.length === 0) return { stored, refused: [], failed: all };
  return { stored, refused, failed: [] };
}

/** Keeps dead letters in D1; returns the messages kept (the others are retried). */
async function keep(d1: D1Database, dead: [Incoming, string][]): Promise<Incoming[]> {
  if (dead.length === 0) return [];
  const letters: TelemetryDeadLetter[] = dead.map(([incoming, reason]) =>
    deadLetterOf(incoming, reason),
  );
  for (const letter of letters) {
    console.error(
      `telemetry: dead letter ${letter.id} (${letter.kind} ${letter.rowId ?? ""}): ${letter.reason}`,
    );
  }
  try {
    await d1.batch([deadLetterStatement(d1, letters)]);
    return dead.map(([incoming]) => incoming);
  } catch (err) {
    console.error(`telemetry: could not keep ${letters.length} dead letter(s): ${reasonOf(err)}`);
    for (const [incoming] of dead) incoming.retry({ delaySeconds: backoff(incoming.attempts) });
    return [];
  }
}

/** The dead-letter queue's consumer: what the queue gave up on is kept with that reason. */
async function keepDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const dead = batch.messages.map((incoming): [Incoming, string] => [
    incoming,
    "The telemetry queue gave up delivering this message after its retries (D1 unavailable for that long, or the consumer failing).",
  ]);
  const kept = await keep(env.DB, dead);
  for (const incoming of kept) incoming.ack();
}

function backoff(attempts: number): number {
  return Math.min(FIRST_RETRY_SECONDS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_SECONDS);
}

function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return `D1 refused it: ${text}`;
}
