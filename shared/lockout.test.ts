import { describe, expect, it } from "vitest";
import {
  emptyLockout,
  forgetAt,
  LOCKOUT_POLICIES,
  type LockoutState,
  lockStatus,
  recordFailure,
} from "./lockout";

const policy = LOCKOUT_POLICIES.account;
const T0 = Date.parse("2026-11-24T12:00:00Z");
const MINUTE = 60_000;

function fail(state: LockoutState, times: number, at: number, step = 1000) {
  let s = state;
  for (let i = 0; i < times; i++) s = recordFailure(s, policy, at + i * step);
  return s;
}

describe("lockouts", () => {
  it("locks for a minute at the fifth failure within the window, not before", () => {
    const four = fail(emptyLockout(), 4, T0);
    expect(lockStatus(four, policy, T0 + 4000)).toEqual({
      locked: false,
      failures: 4,
      lockouts: 0,
    });
    const five = recordFailure(four, policy, T0 + 4000);
    expect(lockStatus(five, policy, T0 + 4000)).toMatchObject({
      locked: true,
      retryAfterMs: MINUTE,
    });
    expect(lockStatus(five, policy, T0 + 4000 + MINUTE).locked).toBe(false);
  });

  it("slides: failures older than the window no longer count", () => {
    const old = fail(emptyLockout(), 4, T0);
    const later = recordFailure(old, policy, T0 + 16 * MINUTE);
    expect(lockStatus(later, policy, T0 + 16 * MINUTE)).toEqual({
      locked: false,
      failures: 1,
      lockouts: 0,
    });
  });

  it("doubles each recurring lockout up to an hour, and forgets after a quiet day", () => {
    let state = emptyLockout();
    let now = T0;
    const lengths: number[] = [];
    for (let round = 0; round < 8; round++) {
      state = fail(state, 5, now, 0);
      lengths.push(state.lockedUntil - now);
      now = state.lockedUntil;
    }
    expect(lengths.map((l) => l / MINUTE)).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
    const quiet = now + 25 * 60 * MINUTE;
    const fresh = fail(state, 5, quiet, 0);
    expect(fresh.lockedUntil - quiet).toBe(MINUTE);
  });

  it("ignores failures while locked and knows when the state can go", () => {
    const locked = fail(emptyLockout(), 5, T0, 0);
    expect(recordFailure(locked, policy, T0 + 10)).toBe(locked);
    expect(forgetAt(locked, policy)).toBe(T0 + 24 * 60 * MINUTE);
  });
});
