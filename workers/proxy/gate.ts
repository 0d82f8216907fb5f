// Names of the gates a request deals with, and the settling of a finished request.
import type { LlmRequestRow } from "../../d1/schema";
import type { Charge } from "../../shared/limit-ledger";
import { settleAt, userGate } from "../limits/gates";
import type { Admission } from "./admission";

/** The gate that takes the request's log row: its user's, or the proxy's anonymous one. */
export function principalOf(admission: Pick<Admission, "userId" | "proxy">): string {
  return admission.userId ? `user:${admission.userId}` : `anonymous:${admission.proxy.id}`;
}

/**
 * Hands the log row to the principal's gate (settling its reservations in the same call) and
 * settles every other gate that holds a reservation, in parallel.
 */
export async function settleRequest(
  env: Env,
  principal: string,
  row: LlmRequestRow,
  reserved: { gates: readonly string[]; timeZone: string; actual: Charge },
): Promise<void> {
  const { gates, timeZone, actual } = reserved;
  await Promise.all([
    userGate(env, principal).settle({ row, limits: { actual, timeZone } }),
    ...gates.filter((g) => g !== principal).map((g) => settleAt(env, g, row.id, actual, timeZone)),
  ]);
}
