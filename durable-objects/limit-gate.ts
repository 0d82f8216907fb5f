// Limits shared by many users (an organisation's or an LLM proxy's) live in one object per
// scope, named "org:<id>" or "proxy:<id>", called in parallel with the user's gate.
import { DurableObject } from "cloudflare:workers";
import type { Charge, LimitRule, LimitView, Reservation } from "../shared/limit-ledger";
import { LedgerStore } from "./ledger-store";

export interface ReserveRequest {
  requestId: string;
  rules: LimitRule[];
  worstCase: Charge;
  timeZone: string;
}

export class LimitGate extends DurableObject<Env> {
  readonly #store: LedgerStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new LedgerStore(ctx.storage);
    ctx.blockConcurrencyWhile(() => this.#store.load());
  }

  reserve(r: ReserveRequest): Reservation {
    return this.#store.change(r.timeZone, (l) =>
      l.reserve(r.requestId, r.rules, r.worstCase, Date.now()),
    );
  }

  settle(requestId: string, actual: Charge, timeZone: string): void {
    if (!this.#store.holds(requestId)) return;
    this.#store.change(timeZone, (l) => l.settle(requestId, actual, Date.now()));
  }

  release(requestId: string, timeZone: string): void {
    this.#store.change(timeZone, (l) => l.release(requestId));
  }

  views(rules: LimitRule[], timeZone: string): LimitView[] {
    return this.#store.change(timeZone, (l) => rules.map((rule) => l.view(rule, Date.now())));
  }
}
