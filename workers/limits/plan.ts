// Which limits apply to a request, grouped by the Durable Object that keeps them, and what
// the request may cost at worst.
import type { Limit } from "../../d1/schema";
import type { Charge, LimitRule } from "../../shared/limit-ledger";
import { modelAllowed } from "../../shared/model-match";
import { findModelPrice, type ModelPrice } from "../../shared/pricing";
import type { Admission } from "../proxy/admission";
import type { OrgLimits } from "./config-cache";

export interface LimitPlan {
  /** Gate name ("user:…", "org:…", "proxy:…", "team:…") → the rules it keeps for this request. */
  byGate: Map<string, LimitRule[]>;
  price: ModelPrice | undefined;
}

export const toRule = (l: Limit): LimitRule => ({
  id: l.id,
  name: l.name,
  metric: l.metric,
  window: l.window,
  amount: l.amount,
  version: l.windowVersion,
});

export function priceFor(model: string, org: OrgLimits): ModelPrice | undefined {
  return findModelPrice(model, org.prices) ?? org.defaultPrice;
}

export function planLimits(admission: Admission, model: string, org: OrgLimits): LimitPlan {
  const byGate = new Map<string, LimitRule[]>();
  const add = (gate: string, limit: Limit) =>
    byGate.set(gate, [...(byGate.get(gate) ?? []), toRule(limit)]);
  const applies = org.limits.filter((l) => modelAllowed(model, l.models ?? null));
  const userId = admission.userId;
  const hasOwnUserLimit = applies.some((l) => l.scope === "user" && l.scopeId === userId);
  const keys = [admission.standardKey, admission.passthroughKey].filter((k) => k !== null);
  // The teams of the person the request is attributed to: each team's limits apply.
  const teamIds = (admission.passthroughKey ?? admission.standardKey)?.ownerTeamIds ?? [];
  for (const limit of applies) {
    if (limit.scope === "organisation") add(`org:${admission.orgId}`, limit);
    else if (limit.scope === "llm_proxy" && limit.scopeId === admission.proxy.id) {
      add(`proxy:${admission.proxy.id}`, limit);
    } else if (limit.scope === "team" && limit.scopeId && teamIds.includes(limit.scopeId)) {
      add(`team:${limit.scopeId}`, limit);
    } else if (limit.scope === "user" && userId && limit.scopeId === userId) {
      add(`user:${userId}`, limit);
    } else if (limit.scope === "default_user" && userId && !hasOwnUserLimit) {
      add(`user:${userId}`, limit);
    } else if (limit.scope === "virtual_key") {
      // A key's limits live at its owner's gate, where its revocations live too.
      const key = keys.find((k) => k.id === limit.scopeId);
      if (key) add(`user:${key.ownerUserId}`, limit);
    }
  }
  return { byGate, price: priceFor(model, org) };
}

/**
 * The most a request can cost. Every input token is at most one byte of the body, and may be
 * billed at the dearest input rate (a 1-hour cache write); output is at most max_tokens. The
 * bound is loose on purpose: a budget must never be passed by what it admitted.
 */
export function worstCase(
  bodyBytes: number,
  maxTokens: number,
  price: ModelPrice | undefined,
  billed: boolean,
): Charge {
  // A long-prompt tier, if the model has one, may apply: take the dearer rates of both.
  const tiers = price ? [price, ...(price.longPrompt ? [price.longPrompt.prices] : [])] : [];
  const inputRate = Math.max(
    0,
    ...tiers.map((t) => Math.max(t.input, t.cacheWrite5m, t.cacheWrite1h)),
  );
  const outputRate = Math.max(0, ...tiers.map((t) => t.output));
  const cost = billed ? Math.ceil((bodyBytes * inputRate + maxTokens * outputRate) / 1_000_000) : 0;
  return { cost, tokens: bodyBytes + maxTokens, requests: 1 };
}
