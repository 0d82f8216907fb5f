// The proxy's two calls to the user's gate Durable Object: admit before the upstream fetch,
// settle (with the log row) after the response ends.
import type { LlmRequestRow } from "../../d1/schema";
import type { AdmitDecision } from "../../durable-objects/user-gate";
import { GatewayError } from "../errors";
import type { Admission } from "./admission";

export function gateFor(env: Env, principal: string) {
  return env.USER_GATE.get(env.USER_GATE.idFromName(principal));
}

export function principalOf(admission: Pick<Admission, "userId" | "proxy">): string {
  return admission.userId ? `user:${admission.userId}` : `anonymous:${admission.proxy.id}`;
}

/**
 * One RPC to the attributed user's gate in steady state. A key owned by someone else (an
 * admin's standard key beside a member's passthrough key) is checked at its owner's gate, in
 * parallel, because revocations are recorded at the owner's gate.
 */
export async function admitAtGates(env: Env, admission: Admission, requestId: string) {
  const principal = principalOf(admission);
  const byGate = new Map<string, string[]>([[principal, []]]);
  for (const key of [admission.standardKey, admission.passthroughKey]) {
    if (!key) continue;
    const gate = `user:${key.ownerUserId}`;
    byGate.set(gate, [...(byGate.get(gate) ?? []), key.id]);
  }
  const decisions = await Promise.all(
    [...byGate].map(([gate, keyIds]) => gateFor(env, gate).admit({ requestId, keyIds })),
  );
  for (const decision of decisions) refuseUnless(decision);
}

function refuseUnless(decision: AdmitDecision): void {
  if (decision.ok) return;
  const headers: Record<string, string> = decision.retryAfterSeconds
    ? { "retry-after": String(decision.retryAfterSeconds) }
    : {};
  throw new GatewayError(decision.status, decision.message, { headers });
}

export function settleAtGate(env: Env, principal: string, row: LlmRequestRow): Promise<void> {
  return gateFor(env, principal).settle(row);
}
