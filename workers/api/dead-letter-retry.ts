// Sending dead letters to the telemetry queue again. A dead letter is removed only once the
// queue has taken its message; if the queue refuses, it stays (and the caller gets a 503). A
// message stored twice is harmless: the consumer's writes are idempotent, and one that fails
// again comes back as a new dead letter.
import type { TelemetryDeadLetter } from "../../d1/schema";
import { sendGroups } from "../../shared/send-groups";
import { GatewayError } from "../errors";
import {
  countDeadLetters,
  deleteDeadLetters,
  oldestDeadLetters,
  type Position,
  storedBody,
} from "./dead-letter-store";

/** Within a queue's sendBatch limits (100 messages, 256 KB), with room for its overhead. */
const BATCH = { maxCount: 100, maxBytes: 200_000 };
const PAGE = 100;
/** One retry-all call sends at most this many, to stay well inside a request's limits. */
export const RETRY_ALL_CAP = 5000;

const encoder = new TextEncoder();

function queueRefused(message: string, err: unknown): GatewayError {
  console.error(`telemetry: the queue refused a dead letter retry: ${String(err)}`);
  return new GatewayError(503, message);
}

export async function retryDeadLetter(env: Env, row: TelemetryDeadLetter): Promise<void> {
  try {
    await env.TELEMETRY.send(storedBody(row), { contentType: "json" });
  } catch (err) {
    throw queueRefused(
      "The telemetry queue did not take the message, so it is still kept here. Try again in a minute.",
      err,
    );
  }
  await deleteDeadLetters(env, [row.id]);
}

/**
 * Sends every dead letter the caller sees that had failed when the call began (not those that
 * fail again meanwhile), oldest first, up to RETRY_ALL_CAP; `remaining` counts the rest.
 */
export async function retryAllDeadLetters(
  env: Env,
  orgId: string,
): Promise<{ retried: number; remaining: number }> {
  const until = Date.now();
  let retried = 0;
  let after: Position | undefined;
  while (retried < RETRY_ALL_CAP) {
    const rows = await oldestDeadLetters(
      env,
      orgId,
      Math.min(PAGE, RETRY_ALL_CAP - retried),
      until,
      after,
    );
    for (const group of sendGroups(rows, (r) => encoder.encode(r.body).byteLength, BATCH)) {
      try {
        await env.TELEMETRY.sendBatch(
          group.map((r) => ({ body: storedBody(r), contentType: "json" as const })),
        );
      } catch (err) {
        const kept = await countDeadLetters(env, orgId);
        throw queueRefused(
          `The telemetry queue stopped taking messages after ${retried} were sent again; the ${kept} left are still kept here. Try again in a minute.`,
          err,
        );
      }
      await deleteDeadLetters(
        env,
        group.map((r) => r.id),
      );
      retried += group.length;
    }
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) break;
    after = { failedAt: last.failedAt, id: last.id };
  }
  const remaining = retried < RETRY_ALL_CAP ? 0 : await countDeadLetters(env, orgId, until);
  return { retried, remaining };
}
