// Password sign-in's brute-force guard: one SignInGuard per account ("email:…", whether or not
// the account exists, so a lockout says nothing about existence) and one per client address
// ("ip:…", which stops one host spraying many accounts). Both are consulted before the password
// is checked; failures are counted after.
import { signInGuard } from "../../../durable-objects/sign-in-guard";
import type { LockStatus } from "../../../shared/lockout";
import { GatewayError } from "../../errors";

export interface SignInGuards {
  account: string;
  address: string | null;
}

export function signInGuards(email: string, address: string | null): SignInGuards {
  return { account: `email:${email.toLowerCase()}`, address: address ? `ip:${address}` : null };
}

export function lockedOut(retryAfterMs: number): GatewayError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const minutes = Math.ceil(seconds / 60);
  return new GatewayError(
    429,
    `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    { headers: { "retry-after": String(seconds) } },
  );
}

/**
 * Throws 429 if either guard is locked; otherwise answers whether the account has any history
 * of failures (which a successful sign-in then clears).
 */
export async function checkSignIn(env: Env, guards: SignInGuards): Promise<boolean> {
  const [account, address] = await Promise.all([
    signInGuard(env, guards.account).status("account"),
    guards.address ? signInGuard(env, guards.address).status("address") : null,
  ]);
  const wait = Math.max(retryAfter(account), address ? retryAfter(address) : 0);
  if (wait > 0) throw lockedOut(wait);
  return account.failures > 0 || account.lockouts > 0;
}

export async function recordSignInFailure(env: Env, guards: SignInGuards): Promise<void> {
  await Promise.all([
    signInGuard(env, guards.account).fail("account"),
    guards.address ? signInGuard(env, guards.address).fail("address") : null,
  ]);
}

/** A successful sign-in clears the account's count (never the address's: others share it). */
export async function clearSignInFailures(env: Env, guards: SignInGuards): Promise<void> {
  await signInGuard(env, guards.account).reset();
}

const retryAfter = (s: LockStatus) => (s.locked ? s.retryAfterMs : 0);
