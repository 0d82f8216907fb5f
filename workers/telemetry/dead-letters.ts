// Dead letters: telemetry messages the consumer could not store, kept in D1 with the reason
// so admins can see them and send them again (GET/POST /api/telemetry/dead-letters).
import { type TelemetryDeadLetter, telemetryDeadLetters } from "../../d1/schema";
import { deadLetterKind, field } from "../../shared/dead-letter-summary";
import { jsonRowsInsert } from "../db";

const REASON_MAX = 1000;
const INSERT = jsonRowsInsert(telemetryDeadLetters);

/** What is known of a message that failed, whatever its shape. */
export function deadLetterOf(
  message: { id: string; body: unknown; attempts: number },
  reason: string,
  now = Date.now(),
): TelemetryDeadLetter {
  const body = message.body;
  const row = field(body, "row");
  return {
    id: message.id,
    orgId: stringField(row, "orgId"),
    kind: deadLetterKind(field(body, "kind")),
    rowId: stringField(row, "id"),
    reason: reason.slice(0, REASON_MAX),
    body: asJson(body),
    attempts: message.attempts,
    failedAt: now,
  };
}

/** Stores dead letters in one statement; one already kept (a redelivery) is left alone. */
export function deadLetterStatement(
  d1: D1Database,
  letters: TelemetryDeadLetter[],
): D1PreparedStatement {
  return d1.prepare(INSERT).bind(JSON.stringify(letters));
}

function stringField(value: unknown, name: string): string | null {
  const v = field(value, name);
  return typeof v === "string" ? v.slice(0, 200) : null;
}

function asJson(body: unknown): string {
  try {
    return JSON.stringify(body) ?? String(body);
  } catch {
    return String(body);
  }
}
