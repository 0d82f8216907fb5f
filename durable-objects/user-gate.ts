// The per-user gate: one Durable Object per principal (a user, or a proxy's anonymous
// traffic). It decides admission in one RPC on the proxy's hot path (is any key revoked?
// later: rate limits and budget reservations), and it takes the finished request's log row,
// keeps it in durable storage, and flushes rows to D1 in batches from an alarm, so a log row
// is never lost and never on the hot path.
import { DurableObject } from "cloudflare:workers";
import type { LlmRequestRow } from "../d1/schema";
import type { Charge, LimitRule, LimitView, Reservation } from "../shared/limit-ledger";
import { LedgerStore } from "./ledger-store";
import { writeLogRows } from "./log-flush";

export interface AdmitRequest {
  requestId: string;
  keyIds: readonly string[];
  /** The user's and their keys' limits that apply, with the request's worst case. */
  limits?: { rules: LimitRule[]; worstCase: Charge; timeZone: string };
}

export type AdmitDecision =
  | Reservation
  | { ok: false; revoked: true }
  | { ok: false; ownerDeactivated: true };

export interface Settlement {
  row: LlmRequestRow;
  /** Present when admission reserved limits here. */
  limits?: { actual: Charge; timeZone: string };
}

/** How long a first buffered row waits for company before the batch goes to D1. */
export const FLUSH_DELAY_MS = 1000;
const FLUSH_BATCH = 50;
const FLUSH_BATCHES_PER_ALARM = 20;
const LOG_PREFIX = "log:";
const REVOKED_PREFIX = "revoked:";
const DEAD_PREFIX = "dead:";
/** Present while the user is deactivated: every key of theirs is refused. */
const DEACTIVATED_KEY = "deactivated";

export class UserGate extends DurableObject<Env> {
  #revoked = new Set<string>();
  #deactivated = false;
  readonly #ledger: LedgerStore;
  /** A flush alarm is known to be set; saves a storage read per settled request. */
  #flushScheduled = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#ledger = new LedgerStore(ctx.storage);
    ctx.blockConcurrencyWhile(async () => {
      await this.#ledger.load();
      const revoked = await ctx.storage.list({ prefix: REVOKED_PREFIX });
      for (const key of revoked.keys()) this.#revoked.add(key.slice(REVOKED_PREFIX.length));
      this.#deactivated = (await ctx.storage.get(DEACTIVATED_KEY)) !== undefined;
    });
  }

  admit(request: AdmitRequest): AdmitDecision {
    // Only a request that uses one of this user's keys is theirs to refuse; this gate may also
    // be asked about limits alone.
    if (this.#deactivated && request.keyIds.length > 0)
      return { ok: false, ownerDeactivated: true };
    for (const keyId of request.keyIds) {
      if (this.#revoked.has(keyId)) return { ok: false, revoked: true };
    }
    const limits = request.limits;
    if (!limits || limits.rules.length === 0) return { ok: true, views: [] };
    return this.#ledger.change(limits.timeZone, (l) =>
      l.reserve(request.requestId, limits.rules, limits.worstCase, Date.now()),
    );
  }

  /** Settles reservations for a request whose log row goes to another gate. */
  settleLimits(requestId: string, actual: Charge, timeZone: string): void {
    if (!this.#ledger.holds(requestId)) return;
    this.#ledger.change(timeZone, (l) => l.settle(requestId, actual, Date.now()));
  }

  release(requestId: string, timeZone: string): void {
    this.#ledger.change(timeZone, (l) => l.release(requestId));
  }

  views(rules: LimitRule[], timeZone: string): LimitView[] {
    return this.#ledger.change(timeZone, (l) => rules.map((rule) => l.view(rule, Date.now())));
  }

  async revoke(keyIds: readonly string[]): Promise<void> {
    const now = Date.now();
    await this.ctx.storage.put(Object.fromEntries(keyIds.map((id) => [REVOKED_PREFIX + id, now])));
    for (const id of keyIds) this.#revoked.add(id);
  }

  /**
   * Deactivating a user stops every key of theirs on the next request, whatever isolates have
   * cached; reactivating lifts it (revoked keys stay revoked).
   */
  async setDeactivated(deactivated: boolean): Promise<void> {
    if (deactivated) await this.ctx.storage.put(DEACTIVATED_KEY, Date.now());
    else await this.ctx.storage.delete(DEACTIVATED_KEY);
    this.#deactivated = deactivated;
  }

  /**
   * Takes a finished request: settles its limit reservations to the real figures and keeps its
   * log row. Durable before it returns; the row reaches D1 later, in a batch.
   */
  async settle({ row, limits }: Settlement): Promise<void> {
    // Requests without limits hold nothing here: no ledger write on their way out.
    if (limits && this.#ledger.holds(row.id)) {
      this.#ledger.change(limits.timeZone, (l) => l.settle(row.id, limits.actual, Date.now()));
    }
    await this.ctx.storage.put(LOG_PREFIX + row.id, row);
    if (this.#flushScheduled) return;
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + FLUSH_DELAY_MS);
    }
    this.#flushScheduled = true;
  }

  override async alarm(): Promise<void> {
    // Rows settled from here on need an alarm of their own (unless this one reschedules).
    this.#flushScheduled = false;
    for (let batch = 0; batch < FLUSH_BATCHES_PER_ALARM; batch++) {
      const pending = await this.ctx.storage.list<LlmRequestRow>({
        prefix: LOG_PREFIX,
        limit: FLUSH_BATCH,
      });
      if (pending.size === 0) return;
      await this.#write(pending);
      if (pending.size < FLUSH_BATCH) return;
    }
    // A large backlog is drained over several alarms so one run stays short.
    await this.ctx.storage.setAlarm(Date.now());
    this.#flushScheduled = true;
  }

  /**
   * Writes a batch to D1 and drops it from storage. If the batch fails, its rows are tried one
   * by one: when none goes in, D1 itself is failing, so this throws and the runtime retries the
   * alarm with every row kept; when some go in, the ones D1 refuses are moved aside under
   * "dead:" (kept, and logged by id) so one bad row cannot hold up everyone's usage.
   */
  async #write(pending: Map<string, LlmRequestRow>): Promise<void> {
    try {
      await writeLogRows(this.env.DB, [...pending.values()]);
      await this.ctx.storage.delete([...pending.keys()]);
      return;
    } catch (batchError) {
      const refused: [string, LlmRequestRow][] = [];
      for (const [key, row] of pending) {
        try {
          await writeLogRows(this.env.DB, [row]);
          await this.ctx.storage.delete(key);
        } catch {
          refused.push([key, row]);
        }
      }
      if (refused.length === pending.size) throw batchError;
      for (const [key, row] of refused) {
        console.error(`log row ${row.id} refused by D1; kept under ${DEAD_PREFIX}`);
        await this.ctx.storage.put(DEAD_PREFIX + row.id, row);
        await this.ctx.storage.delete(key);
      }
    }
  }
}
