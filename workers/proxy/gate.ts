// The principal a request is attributed to, and what happens when a request ends: its
// telemetry message goes to the queue, and only the gates holding a reservation for it (when
// a limit applied) are called to settle it. A request no limit applied to calls no gate.
import type { LlmRequestRow } from "../../d1/schema";
import type { Charge } from "../../shared/limit-ledger";
import { settleAt } from "../limits/gates";
import { llmRequestMessage, type SpanFacts } from "../telemetry/message";
import { sendTelemetry } from "../telemetry/send";
import type { Admission } from "./admission";

/** The gate a request belongs to: its user's, or the proxy's anonymous one. */
export function principalOf(admission: Pick<Admission, "userId" | "proxy">): string {
  return admission.userId ? `user:${admission.userId}` : `anonymous:${admission.proxy.id}`;
}

export async function finishRequest(
  env: Env,
  principal: string,
  row: LlmRequestRow,
  span: SpanFacts,
  reserved: { gates: readonly string[]; timeZone: string; actual: Charge },
): Promise<void> {
  const { gates, timeZone, actual } = reserved;
  await Promise.all([
    sendTelemetry(env, llmRequestMessage(row, span), principal),
    ...gates.map((g) => settleAt(env, g, row.id, actual, timeZone)),
  ]);
}
