// Sending telemetry when the queue will not take it: the message is kept at the principal's
// gate and reaches D1 from the gate's alarm, exactly once; the spool backs off while the queue
// keeps refusing and sends within the queue's limits when it takes messages again.
import {
  createExecutionContext,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../workers/index";
import type { TelemetryMessage } from "../../workers/telemetry/message";
import { TelemetrySpool } from "../../workers/telemetry/spool";
import { type Admin, admin, ORIGIN, profileHeaders, proxyWithKey } from "./helpers";
import { loggedRow } from "./logs";
import { llmMessage, llmRow } from "./telemetry-rows";

let a: Admin;
let proxyId: string;
let headers: Record<string, string>;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
  ({ headers } = await profileHeaders(a, proxyId));
});

/** A queue that refuses every send, counting the attempts. */
function refusingQueue() {
  let attempts = 0;
  const refuse = () => {
    attempts++;
    return Promise.reject(new Error("Queue send failed: queue temporarily unavailable"));
  };
  const queue = { send: refuse, sendBatch: refuse } as unknown as Queue;
  return { queue, attempts: () => attempts };
}

/** A queue that takes every batch and keeps what it was sent. */
function keepingQueue() {
  const batches: unknown[][] = [];
  const queue = {
    send: (body: unknown) => {
      batches.push([body]);
      return Promise.resolve();
    },
    sendBatch: (messages: Iterable<MessageSendRequest>) => {
      batches.push([...messages].map((m) => m.body));
      return Promise.resolve();
    },
  } as unknown as Queue;
  return { queue, batches };
}

const gate = (name: string) => env.USER_GATE.get(env.USER_GATE.idFromName(name));

describe("a send the queue refuses", () => {
  it("is kept at the person's gate and stored once from its alarm", async () => {
    const refusing = refusingQueue();
    const tag = "queue-refused";
    const tagged = new Headers(headers);
    tagged.set("x-archestra-agent-id", tag);
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request<unknown, IncomingRequestCfProperties>(
        `${ORIGIN}/v1/anthropic/${proxyId}/v1/messages`,
        {
          method: "POST",
          headers: tagged,
          body: JSON.stringify({
            model: "claude-haiku-4-5-20251001",
            max_tokens: 16,
            messages: [{ role: "user", content: "hello" }],
          }),
        },
      ),
      { ...env, TELEMETRY: refusing.queue },
      ctx,
    );
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    await waitOnExecutionContext(ctx);
    expect(refusing.attempts()).toBe(1);

    const principal = gate(`user:${a.userId}`);
    const kept = await runInDurableObject(principal, (_, state) =>
      state.storage.list({ prefix: "telemetry:" }),
    );
    expect(kept.size).toBe(1);
    // The gate's own queue binding works: its alarm sends the message on.
    expect(await runDurableObjectAlarm(principal)).toBe(true);
    const { rows } = await loggedRow(a, "", (r) => r.agentId === tag);
    expect(rows.filter((r) => r.agentId === tag)).toHaveLength(1);
    const left = await runInDurableObject(principal, (_, state) =>
      state.storage.list({ prefix: "telemetry:" }),
    );
    expect(left.size).toBe(0);
  }, 20_000);
});

/** A long agent id stands in for a large message (tool-call payloads can be 64 KB). */
const message = (i: number, padding = 0): TelemetryMessage =>
  llmMessage(llmRow(`req_spool${i}`, { orgId: "org_spool", agentId: "x".repeat(padding) }));

describe("the spool", () => {
  it("keeps messages and backs off while the queue refuses, then sends each once within the queue's limits", async () => {
    await runInDurableObject(gate("user:spooling"), async (_, state) => {
      const refusing = refusingQueue();
      const spool = new TelemetrySpool(state.storage, refusing.queue);
      const messages = Array.from({ length: 250 }, (_, i) => message(i, i < 10 ? 60_000 : 0));
      await spool.add(messages);
      await spool.add(messages.slice(0, 5)); // spooled twice: still sent once
      expect(await state.storage.getAlarm()).not.toBeNull();

      const now = Date.now();
      const first = await spool.flush(now);
      const second = await spool.flush(now);
      expect(first).not.toBeNull();
      expect(second).not.toBeNull();
      // Backing off: each refusal waits longer than the one before.
      expect((second ?? 0) - now).toBeGreaterThan((first ?? 0) - now);
      expect(await spool.size()).toBe(250);

      const keeping = keepingQueue();
      const working = new TelemetrySpool(state.storage, keeping.queue);
      expect(await working.flush()).toBeNull();
      expect(await working.size()).toBe(0);
      const sent = keeping.batches.flat() as TelemetryMessage[];
      expect(sent).toHaveLength(250);
      expect(new Set(sent.map((m) => m.row.id)).size).toBe(250);
      for (const batch of keeping.batches) {
        expect(batch.length).toBeLessThanOrEqual(100);
        // 256 KB per sendBatch: the spool stays under it, JSON measured in characters.
        expect(JSON.stringify(batch).length).toBeLessThanOrEqual(256_000);
      }
    });
  });
});
