// The per-user gate: one Durable Object per principal (a user, or a proxy's anonymous
// traffic). It decides admission in one RPC on the proxy's hot path (is any key revoked? the
// user's and their keys' limits: reservations of the request's worst case) and settles those
// reservations when the request ends. Log rows do not pass through here: they go through the
// telemetry queue, and only when the queue refuses one does the gate keep it and send it again
// from its alarm.
import { DurableObject } from "cloudflare:workers";
import type { LlmRequestRow } from "../d1/schema";
import type { Charge, LimitRule, LimitView, Reservation } from "../shared/limit-ledger";
import { llmRequestMessage, type TelemetryMessage } from "../workers/telemetry/message";
import { TelemetrySpool } from "../workers/telemetry/spool";
import { LedgerStore } from "./ledger-store";

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

/** Where earlier versions buffered log rows in storage. */
const LEGACY_PREFIXES = ["log:", "dead:"];
const REVOKED_PREFIX = "revoked:";
/** Present while the user is deactivated: every key of theirs is refused. */
const DEACTIVATED_KEY = "deactivated";

export class UserGate extends DurableObject<Env> {
  #revoked = new Set<string>();
  #deactivated = false;
  readonly #ledger: LedgerStore;
  readonly #spool: TelemetrySpool;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#ledger = new LedgerStore(ctx.storage);
    this.#spool = new TelemetrySpool(ctx.storage, env.TELEMETRY);
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

  /** Settles a finished request's reservations here to its real figures. */
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

  /** Keeps telemetry the queue refused and sends it again from the alarm (spool.ts). */
  spoolTelemetry(messages: TelemetryMessage[]): Promise<void> {
    return this.#spool.add(messages);
  }

  override async alarm(): Promise<void> {
    await this.#requeueLegacyRows();
    const retryAt = await this.#spool.flush();
    if (retryAt !== null) await this.ctx.storage.setAlarm(retryAt);
  }

  /**
   * Log rows an earlier version buffered here ("log:", and "dead:" for rows D1 refused) go
   * through the telemetry queue like any other, so an upgrade loses none of them.
   */
  async #requeueLegacyRows(): Promise<void> {
    for (const prefix of LEGACY_PREFIXES) {
      const rows = await this.ctx.storage.list<LlmRequestRow>({ prefix });
      if (rows.size === 0) continue;
      const messages = [...rows.values()].map((row) =>
        llmRequestMessage(row, {
          startedAt: row.createdAt,
          endedAt: row.createdAt + row.durationMs,
        }),
      );
      await this.#spool.add(messages);
      await this.ctx.storage.delete([...rows.keys()]);
    }
  }
}
