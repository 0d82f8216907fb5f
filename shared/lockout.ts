// Brute-force lockouts as pure state transitions: a sliding window of recent failures, and
// lockouts that double each time they recur (1 min, 2, 4 … up to an hour) until the key has
// been quiet for a day. The SignInGuard Durable Object holds one state per key and applies
// these; keeping them pure lets the rules be tested without a clock.

export interface LockoutPolicy {
  /** Failures within `windowMs` that trigger a lockout. */
  maxFailures: number;
  windowMs: number;
  firstLockMs: number;
  maxLockMs: number;
  /** After this long without a failure, lockouts start again from `firstLockMs`. */
  forgetAfterMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const LOCKOUT_POLICIES = {
  /** One account, whoever tries it: a person mistyping gets five goes per quarter hour. */
  account: {
    maxFailures: 5,
    windowMs: 15 * MINUTE,
    firstLockMs: MINUTE,
    maxLockMs: HOUR,
    forgetAfterMs: 24 * HOUR,
  },
  /**
   * One client address across accounts: looser, because an office or a carrier-grade NAT puts
   * many honest people behind one address, but it stops one host spraying many accounts.
   */
  address: {
    maxFailures: 20,
    windowMs: 15 * MINUTE,
    firstLockMs: MINUTE,
    maxLockMs: HOUR,
    forgetAfterMs: 24 * HOUR,
  },
  /** One client address presenting virtual keys the proxy does not know. */
  "proxy-address": {
    maxFailures: 20,
    windowMs: 5 * MINUTE,
    firstLockMs: MINUTE,
    maxLockMs: HOUR,
    forgetAfterMs: 24 * HOUR,
  },
} as const satisfies Record<string, LockoutPolicy>;

export type LockoutPolicyName = keyof typeof LOCKOUT_POLICIES;

export interface LockoutState {
  /** Times of the failures still inside the window, oldest first. */
  failures: number[];
  /** Epoch ms until which the key is refused; 0 when not locked. */
  lockedUntil: number;
  /** Lockouts so far in this run of failures; sets the next one's length. */
  lockouts: number;
  lastFailureAt: number;
}

/** `failures` in the window and `lockouts` so far: both 0 means there is nothing to reset. */
export type LockStatus =
  | { locked: false; failures: number; lockouts: number }
  | { locked: true; failures: number; lockouts: number; retryAfterMs: number };

export const emptyLockout = (): LockoutState => ({
  failures: [],
  lockedUntil: 0,
  lockouts: 0,
  lastFailureAt: 0,
});

export function lockStatus(state: LockoutState, policy: LockoutPolicy, now: number): LockStatus {
  const failures = state.failures.filter((t) => t > now - policy.windowMs).length;
  const lockouts = state.lockouts;
  if (state.lockedUntil > now) {
    return { locked: true, failures, lockouts, retryAfterMs: state.lockedUntil - now };
  }
  return { locked: false, failures, lockouts };
}

/** The state after one more failure at `now`; a failure while locked changes nothing. */
export function recordFailure(
  state: LockoutState,
  policy: LockoutPolicy,
  now: number,
): LockoutState {
  if (state.lockedUntil > now) return state;
  const lockouts = now - state.lastFailureAt > policy.forgetAfterMs ? 0 : state.lockouts;
  const failures = [...state.failures.filter((t) => t > now - policy.windowMs), now];
  if (failures.length < policy.maxFailures) {
    return { failures, lockedUntil: 0, lockouts, lastFailureAt: now };
  }
  const length = Math.min(policy.firstLockMs * 2 ** lockouts, policy.maxLockMs);
  // The window starts afresh after a lockout: the next one needs another full run of failures.
  return { failures: [], lockedUntil: now + length, lockouts: lockouts + 1, lastFailureAt: now };
}

/** When the state no longer matters and may be forgotten. */
export function forgetAt(state: LockoutState, policy: LockoutPolicy): number {
  return Math.max(state.lockedUntil, state.lastFailureAt + policy.forgetAfterMs);
}
