// Calls to the Durable Objects that keep limits: "org:<id>", "proxy:<id>" and "team:<id>" name LimitGates;
// any other name ("user:<id>", "anonymous:<proxy-id>") a UserGate, which also checks
// revocations and takes log rows.
import type { Charge, LimitRule, LimitView, Reservation } from "../../shared/limit-ledger";

export type GateDecision =
  | Reservation
  | { ok: false; revoked: true }
  | { ok: false; ownerDeactivated: true };

const LIMIT_GATE_PREFIXES = ["org:", "proxy:", "team:"];
const isUserGate = (gate: string) => !LIMIT_GATE_PREFIXES.some((p) => gate.startsWith(p));

export function userGate(env: Env, gate: string) {
  return env.USER_GATE.get(env.USER_GATE.idFromName(gate));
}

function limitGate(env: Env, gate: string) {
  return env.LIMIT_GATE.get(env.LIMIT_GATE.idFromName(gate));
}

export function reserveAt(
  env: Env,
  gate: string,
  request: {
    requestId: string;
    keyIds: string[];
    rules: LimitRule[];
    worstCase: Charge;
    timeZone: string;
  },
): Promise<GateDecision> {
  const { requestId, keyIds, rules, worstCase, timeZone } = request;
  if (isUserGate(gate)) {
    return userGate(env, gate).admit({ requestId, keyIds, limits: { rules, worstCase, timeZone } });
  }
  return limitGate(env, gate).reserve({ requestId, rules, worstCase, timeZone });
}

export function releaseAt(env: Env, gate: string, requestId: string, timeZone: string) {
  return isUserGate(gate)
    ? userGate(env, gate).release(requestId, timeZone)
    : limitGate(env, gate).release(requestId, timeZone);
}

/** Settles reservations at a gate that does not take the log row. */
export function settleAt(
  env: Env,
  gate: string,
  requestId: string,
  actual: Charge,
  timeZone: string,
) {
  return isUserGate(gate)
    ? userGate(env, gate).settleLimits(requestId, actual, timeZone)
    : limitGate(env, gate).settle(requestId, actual, timeZone);
}

export function viewsAt(
  env: Env,
  gate: string,
  rules: LimitRule[],
  timeZone: string,
): Promise<LimitView[]> {
  return isUserGate(gate)
    ? userGate(env, gate).views(rules, timeZone)
    : limitGate(env, gate).views(rules, timeZone);
}
