// Admission: one parallel round of Durable Object calls that checks revocations and reserves
// the request's worst case against every applicable limit, all or nothing.
import type { Charge, LimitView } from "../../shared/limit-ledger";
import { formatUsd } from "../../shared/pricing";
import { GatewayError, unauthorized } from "../errors";
import { type Admission, OWNER_DEACTIVATED } from "../proxy/admission";
import { principalOf } from "../proxy/gate";
import { type OrgLimits, orgLimits } from "./config-cache";
import { type GateDecision, releaseAt, reserveAt } from "./gates";
import { planLimits, worstCase } from "./plan";

/** What the proxy knows of a Messages request before it goes upstream. */
export interface MessageFacts {
  model: string;
  bodyBytes: number;
  maxTokens: number;
}

export interface Admitted {
  /** Gates holding a reservation for this request: each is settled when it ends. */
  gates: string[];
  timeZone: string;
  views: LimitView[];
  /** The organisation's limits and prices, when they were consulted. */
  org: OrgLimits | undefined;
}

const NOTHING: Charge = { cost: 0, tokens: 0, requests: 0 };

export async function admitAtGates(
  env: Env,
  ctx: ExecutionContext,
  admission: Admission,
  requestId: string,
  message?: MessageFacts,
): Promise<Admitted> {
  const principal = principalOf(admission);
  const org = message
    ? await orgLimits(env, admission.orgId, (work) => ctx.waitUntil(work))
    : undefined;
  const plan = message && org ? planLimits(admission, message.model, org) : undefined;
  const billed = admission.billingMode === "metered";
  const worst = message
    ? worstCase(message.bodyBytes, message.maxTokens, plan?.price, billed)
    : NOTHING;
  if (
    plan &&
    billed &&
    !plan.price &&
    [...plan.byGate.values()].flat().some((r) => r.metric === "cost")
  ) {
    throw new GatewayError(
      402,
      `Gatehouse blocked this request (not the provider): the model '${message?.model}' has no price, and a cost budget applies. An admin can set its price under Costs & Limits.`,
    );
  }

  // Every gate to call: the user's, the owners' of the keys (revocations), and limit gates.
  const keysByGate = new Map<string, string[]>([[principal, []]]);
  for (const key of [admission.standardKey, admission.passthroughKey]) {
    if (!key) continue;
    const gate = `user:${key.ownerUserId}`;
    keysByGate.set(gate, [...(keysByGate.get(gate) ?? []), key.id]);
  }
  const gates = [...new Set([...keysByGate.keys(), ...(plan?.byGate.keys() ?? [])])];
  const timeZone = org?.timeZone ?? "UTC";
  const settled = await Promise.allSettled(
    gates.map((gate) =>
      reserveAt(env, gate, {
        requestId,
        keyIds: keysByGate.get(gate) ?? [],
        rules: plan?.byGate.get(gate) ?? [],
        worstCase: worst,
        timeZone,
      }),
    ),
  );

  const reserved = gates.filter((_, i) => isOk(settled[i]));
  const undo = () =>
    ctx.waitUntil(Promise.allSettled(reserved.map((g) => releaseAt(env, g, requestId, timeZone))));
  const views: LimitView[] = [];
  for (const [i, result] of settled.entries()) {
    if (result.status === "rejected") {
      // Fail-open covers limits only: the user's own gate also decides revocation.
      const failOpen =
        org?.failMode === "open" && gates[i] !== principal && !keysByGate.has(gates[i] ?? "");
      console.warn(
        `[${requestId}] limit gate ${gates[i]} unreachable; failing ${failOpen ? "open" : "closed"}`,
      );
      if (failOpen) continue;
      undo();
      throw new GatewayError(
        529,
        "Gatehouse could not check this request's limits. Try again shortly.",
      );
    }
    const decision = result.value;
    if (decision.ok) {
      views.push(...decision.views);
      continue;
    }
    undo();
    if ("revoked" in decision) throw unauthorized("This virtual key has been revoked.");
    if ("ownerDeactivated" in decision) throw unauthorized(OWNER_DEACTIVATED);
    throw limitError(decision.refused, decision.needed);
  }
  // Only gates with limits hold a reservation: the others need no call when the request ends.
  const holding = reserved.filter((g) => (plan?.byGate.get(g)?.length ?? 0) > 0);
  return { gates: holding, timeZone, views, org };
}

function isOk(result: PromiseSettledResult<GateDecision> | undefined): boolean {
  return result?.status === "fulfilled" && result.value.ok;
}

const describe = (metric: LimitView["metric"], n: number) =>
  metric === "cost" ? formatUsd(n) : `${n.toLocaleString("en-US")} ${metric}`;

/** A budget without room is 402; a request or token rate limit is 429 with retry-after. */
function limitError(view: LimitView, needed: number): GatewayError {
  const resets = new Date(view.resetAt).toISOString();
  const left = `${describe(view.metric, view.remaining)} of ${describe(view.metric, view.amount)}`;
  if (view.metric === "cost") {
    return new GatewayError(
      402,
      `Gatehouse blocked this request (not the provider): the budget '${view.name}' has ${left} left, and this request could cost up to ${describe("cost", needed)}. It resets at ${resets}.`,
    );
  }
  const retryAfter = Math.max(1, Math.ceil((view.resetAt - Date.now()) / 1000));
  return new GatewayError(
    429,
    `Gatehouse rate limit '${view.name}' reached: ${left} left, this request needs ${describe(view.metric, needed)}. It resets at ${resets}.`,
    { headers: { "retry-after": String(retryAfter) } },
  );
}

/** Headers showing the tightest applicable limit, on every proxied response. */
export function limitHeaders(views: readonly LimitView[]): Record<string, string> {
  let tightest: LimitView | undefined;
  for (const v of views) {
    if (!tightest || v.remaining / v.amount < tightest.remaining / tightest.amount) tightest = v;
  }
  if (!tightest) return {};
  return {
    "x-gatehouse-limit-name": encodeURIComponent(tightest.name),
    "x-gatehouse-limit-remaining":
      tightest.metric === "cost" ? formatUsd(tightest.remaining) : String(tightest.remaining),
    "x-gatehouse-limit-reset": new Date(tightest.resetAt).toISOString(),
  };
}
