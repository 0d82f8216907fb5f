// Key guessing on the proxy: a client address that keeps presenting virtual keys the gateway
// refuses is locked out for a while ("proxy-ip:<address>" in the SignInGuard).
//
// The trade-off: the hot path must stay at one Durable Object call (the user's gate), so a
// request whose key is good never asks the guard anything. The guard is consulted only when a
// request has already failed (to count it), and each isolate remembers the addresses the guard
// has said are locked, refusing them on the spot with no call at all. The cost is that the
// lock is enforced per isolate once learnt: an isolate that has not yet seen a failure from a
// locked address still admits that address's *valid* keys, and lets one more wrong key reach
// the guard before it learns. Guessing stays bounded (every wrong key is counted centrally, and
// each isolate stops the address after at most one more), while honest traffic pays nothing.

import { signInGuard } from "../../durable-objects/sign-in-guard";
import { TtlCache } from "../../shared/ttl-cache";
import { GatewayError } from "../errors";
import { PASSTHROUGH_HEADER, UnknownKeyError, VIRTUAL_KEY_PREFIX } from "./admission";

/** Addresses known to be locked, to when. Bounded; an entry never outlives the lock. */
const lockedAddresses = new TtlCache<number>(60 * 60_000, 10_000);

export function clientAddress(headers: Headers): string | null {
  return headers.get("cf-connecting-ip");
}

/** Refuses an address this isolate knows to be locked; no I/O. */
export function refuseIfKnownLocked(address: string | null, now = Date.now()): void {
  if (!address) return;
  const until = lockedAddresses.get(address, now);
  if (until === undefined) return;
  if (until <= now) {
    lockedAddresses.delete(address);
    return;
  }
  throw tooManyBadKeys(until - now);
}

/**
 * After a refused request: if it was refused for its key (401) and presented a virtual key,
 * counts the failure at the address's guard, and remembers the address if that locked it.
 */
export async function countIfKeyGuess(
  env: Env,
  address: string | null,
  headers: Headers,
  err: unknown,
): Promise<void> {
  if (!address || !(err instanceof UnknownKeyError)) return;
  if (!presentsVirtualKey(headers)) return;
  const status = await signInGuard(env, `proxy-ip:${address}`).fail("proxy-address");
  if (status.locked) lockedAddresses.set(address, Date.now() + status.retryAfterMs);
}

function presentsVirtualKey(headers: Headers): boolean {
  const values = [
    headers.get("x-api-key"),
    headers.get("authorization")?.replace(/^Bearer\s+/i, ""),
    headers.get(PASSTHROUGH_HEADER),
  ];
  return values.some((v) => v?.trim().startsWith(VIRTUAL_KEY_PREFIX));
}

function tooManyBadKeys(retryAfterMs: number): GatewayError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new GatewayError(
    429,
    "Too many requests with invalid API keys from this address. Try again later.",
    { headers: { "retry-after": String(seconds) } },
  );
}
