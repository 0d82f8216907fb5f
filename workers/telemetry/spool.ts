// The durable fallback for telemetry the queue would not take: messages are kept in the
// storage of the principal's gate (a UserGate) and sent to the queue again from its alarm, with
// backoff, until the queue takes them. Keyed by row id, so a message spooled twice is sent once.
import { sendGroups } from "../../shared/send-groups";
import type { TelemetryMessage } from "./message";

const PREFIX = "telemetry:";
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 5 * 60_000;
/** Queues take up to 100 messages and 256 KB per sendBatch. */
const SEND_MESSAGES = 100;
const SEND_CHARS = 200_000;
const ATTEMPTS_KEY = "telemetry-attempts";

export class TelemetrySpool {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly queue: Queue,
  ) {}

  /** Keeps messages durably and makes sure an alarm will send them. */
  async add(messages: readonly TelemetryMessage[]): Promise<void> {
    await this.storage.put(Object.fromEntries(messages.map((m) => [PREFIX + m.row.id, m])));
    if ((await this.storage.getAlarm()) === null) {
      await this.storage.setAlarm(Date.now() + FIRST_RETRY_MS);
    }
  }

  /**
   * Sends what is kept to the queue. Returns when to try again (the queue still refusing), or
   * null when nothing is left. Call from the object's alarm.
   */
  async flush(now = Date.now()): Promise<number | null> {
    for (;;) {
      const pending = await this.storage.list<TelemetryMessage>({
        prefix: PREFIX,
        limit: SEND_MESSAGES,
      });
      if (pending.size === 0) {
        await this.storage.delete(ATTEMPTS_KEY);
        return null;
      }
      const groups = sendGroups([...pending], ([, m]) => JSON.stringify(m).length, {
        maxCount: SEND_MESSAGES,
        maxBytes: SEND_CHARS,
      });
      for (const group of groups) {
        try {
          await this.queue.sendBatch(group.map(([, body]) => ({ body, contentType: "json" })));
        } catch (err) {
          const attempts = ((await this.storage.get<number>(ATTEMPTS_KEY)) ?? 0) + 1;
          await this.storage.put(ATTEMPTS_KEY, attempts);
          console.error(
            `telemetry spool: queue refused ${group.length} message(s), attempt ${attempts}: ${String(err)}`,
          );
          return now + Math.min(FIRST_RETRY_MS * 2 ** attempts, MAX_RETRY_MS);
        }
        await this.storage.delete(group.map(([key]) => key));
      }
    }
  }

  /** How many messages wait here (for tests and the scale model). */
  async size(): Promise<number> {
    return (await this.storage.list({ prefix: PREFIX })).size;
  }
}
