// A limit ledger kept in a Durable Object's storage. The state is loaded once per object and
// changed synchronously, so a check and its reservation can never interleave with another
// request's; each change is written before the object's reply leaves (output gates).
import { emptyLedger, type LedgerState, LimitLedger } from "../shared/limit-ledger";

const KEY = "ledger";

export class LedgerStore {
  #state: LedgerState = emptyLedger();

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Call from the object's constructor, inside blockConcurrencyWhile. */
  async load(): Promise<void> {
    this.#state = (await this.storage.get<LedgerState>(KEY)) ?? emptyLedger();
  }

  /** Whether the request holds reservations here (most requests hold none). */
  holds(requestId: string): boolean {
    return this.#state.holds[requestId] !== undefined;
  }

  /** Runs `change` on the ledger and persists the result. */
  change<T>(timeZone: string, change: (ledger: LimitLedger) => T): T {
    const result = change(new LimitLedger(this.#state, timeZone));
    void this.storage.put(KEY, this.#state);
    return result;
  }
}
