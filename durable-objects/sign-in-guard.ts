// Brute-force protection, one object per guarded key: "email:<address>" and "ip:<address>"
// for password sign-in, "proxy-ip:<address>" for virtual-key guessing on the proxy. Each holds
// a sliding count of recent failures and the lockout it earned (rules in shared/lockout.ts);
// a Durable Object gives one consistent count per key worldwide, which an isolate cache or KV
// could not. State is forgotten by an alarm once it no longer matters.
//
// The object named AUDIT_SPOOL_NAME has a second job: it is the audit log's fallback store
// (see audit-spool.ts). It lives in this class rather than a class of its own because both are
// small, rarely-called safety mechanisms and a new class would need its own binding and
// migration; the two jobs never share an instance, so they cannot slow each other down.
import { DurableObject } from "cloudflare:workers";
import {
  emptyLockout,
  forgetAt,
  LOCKOUT_POLICIES,
  type LockoutPolicyName,
  type LockoutState,
  type LockStatus,
  lockStatus,
  recordFailure,
} from "../shared/lockout";
import { type AuditRow, AuditSpool } from "./audit-spool";

export const AUDIT_SPOOL_NAME = "audit-spool";
/** Storage key of the lockout state (tests age it to expire a lockout without waiting). */
export const LOCKOUT_KEY = "lockout";

interface Stored {
  policy: LockoutPolicyName;
  state: LockoutState;
}

export class SignInGuard extends DurableObject<Env> {
  readonly #spool: AuditSpool;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#spool = new AuditSpool(ctx.storage, env.DB);
  }

  async status(policy: LockoutPolicyName): Promise<LockStatus> {
    const stored = await this.#load(policy);
    return lockStatus(stored.state, LOCKOUT_POLICIES[policy], Date.now());
  }

  /** Counts one failure; answers whether the key is now locked. */
  async fail(policy: LockoutPolicyName): Promise<LockStatus> {
    const now = Date.now();
    const rules = LOCKOUT_POLICIES[policy];
    const stored = await this.#load(policy);
    const state = recordFailure(stored.state, rules, now);
    if (state !== stored.state) {
      await this.ctx.storage.put<Stored>(LOCKOUT_KEY, { policy, state });
      await this.ctx.storage.setAlarm(forgetAt(state, rules));
    }
    return lockStatus(state, rules, now);
  }

  /** A successful sign-in: the account starts with a clean slate. */
  async reset(): Promise<void> {
    await this.ctx.storage.delete(LOCKOUT_KEY);
  }

  /** Keeps audit rows D1 refused, to be retried from the alarm. */
  async spool(rows: AuditRow[]): Promise<void> {
    await this.#spool.add(rows);
  }

  spooled(): number {
    return this.#spool.pending();
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const retryAt = await this.#spool.flush(now);
    if (retryAt !== null) {
      await this.ctx.storage.setAlarm(retryAt);
      return;
    }
    const stored = await this.ctx.storage.get<Stored>(LOCKOUT_KEY);
    if (stored) {
      const expires = forgetAt(stored.state, LOCKOUT_POLICIES[stored.policy]);
      if (expires > now) {
        await this.ctx.storage.setAlarm(expires);
        return;
      }
    }
    if (!this.#spool.exists()) await this.ctx.storage.deleteAll();
  }

  async #load(policy: LockoutPolicyName): Promise<Stored> {
    const stored = await this.ctx.storage.get<Stored>(LOCKOUT_KEY);
    return stored ?? { policy, state: emptyLockout() };
  }
}

/** The guard for one key, e.g. "email:ada@acme.test". */
export function signInGuard(env: Env, key: string) {
  return env.SIGN_IN_GUARD.get(env.SIGN_IN_GUARD.idFromName(key));
}
