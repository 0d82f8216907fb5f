// Refresh-token reuse detection, the decision part (no storage here). workers-oauth-provider
// 1.2.3 keeps, per grant, the hash of the current refresh token and of the one it replaced, and
// accepts either; presented with the previous one it issues a new successor and forgets the old
// one, so a stolen, rotated token can be replayed forever and the real client's token dies.
// OAuth 2.1 §4.3.1 and RFC 9700 §4.14.2 want reuse detected and the grant revoked, so Gatehouse
// keeps its own ledger per grant: every refresh token it saw used (and when) and every one it
// saw issued (and from which). A token proves possession only if it was really issued, so a
// made-up token with a real grant id is refused by the library and revokes nothing.
import { z } from "zod";

/**
 * How long the previous refresh token may still be presented, while its successor was never
 * used: a client whose refresh answer was lost (connection cut, timeout) retries with the token
 * it still holds. Clients time out and retry within tens of seconds (fetch stacks commonly give
 * up at 30 s); 60 s covers one timeout and a retry, and is short enough that a token copied
 * from a disk, log or backup later is always a replay. Once a successor has been used, the
 * previous token is a replay at any age.
 */
export const REFRESH_RETRY_GRACE_MS = 60_000;

/** Hashes kept per grant: at one refresh per access-token lifetime (1 h), weeks of history. */
export const LEDGER_MAX_TOKENS = 500;

const TokenEntrySchema = z.object({
  /** SHA-256 hex of the refresh token, as the library stores it. */
  id: z.string().regex(/^[0-9a-f]{64}$/),
  /** The token whose use issued this one; null when first seen being used. */
  parent: z.string().nullable(),
  /** When it was first presented (ms); null while it was never used. */
  usedAt: z.number().nullable(),
});

export const RefreshLedgerSchema = z.object({
  tokens: z.array(TokenEntrySchema),
});

export type RefreshLedger = z.infer<typeof RefreshLedgerSchema>;
type TokenEntry = z.infer<typeof TokenEntrySchema>;

export const EMPTY_LEDGER: RefreshLedger = { tokens: [] };

/** The library's view of a grant's refresh tokens (hashes). */
export interface GrantRefreshState {
  current: string | undefined;
  previous: string | undefined;
}

export type ReuseReason = "successor_used" | "previous_after_grace" | "superseded";

export type RefreshVerdict =
  /** Current token, or a retry within the grace: hand it to the library. */
  | { kind: "accept" }
  /** Never issued for this grant (or history too old): the library refuses it, nothing revoked. */
  | { kind: "unknown" }
  /** A token of this grant used again: refuse and revoke the grant. */
  | { kind: "replay"; reason: ReuseReason };

export const REUSE_REASONS: Record<ReuseReason, string> = {
  successor_used: "a rotated refresh token was used after its successor had been used",
  previous_after_grace:
    "the previous refresh token was presented again after the retry grace had passed",
  superseded: "a refresh token that had already been replaced was presented",
};

function entryOf(ledger: RefreshLedger, id: string): TokenEntry | undefined {
  return ledger.tokens.find((t) => t.id === id);
}

/** What to do with a presented refresh token (its hash) for this grant, at `now` (ms). */
export function judgeRefresh(
  presented: string,
  grant: GrantRefreshState,
  ledger: RefreshLedger,
  now: number,
): RefreshVerdict {
  // Checked first: the library's own record may lag (KV), the ledger saw the successor used.
  if (ledger.tokens.some((t) => t.parent === presented && t.usedAt !== null)) {
    return { kind: "replay", reason: "successor_used" };
  }
  if (presented === grant.current) return { kind: "accept" };
  const entry = entryOf(ledger, presented);
  if (presented === grant.previous) {
    // No recorded use (a grant older than the ledger, or an expired one) means long ago.
    const usedAt = entry?.usedAt ?? null;
    return usedAt !== null && now - usedAt <= REFRESH_RETRY_GRACE_MS
      ? { kind: "accept" }
      : { kind: "replay", reason: "previous_after_grace" };
  }
  return entry ? { kind: "replay", reason: "superseded" } : { kind: "unknown" };
}

function capped(tokens: TokenEntry[]): RefreshLedger {
  return { tokens: tokens.slice(-LEDGER_MAX_TOKENS) };
}

/** The ledger once `presented` is being used at `now` (its first use is the one that counts). */
export function recordUse(ledger: RefreshLedger, presented: string, now: number): RefreshLedger {
  const entry = entryOf(ledger, presented);
  if (entry?.usedAt != null) return ledger;
  if (entry) {
    return { tokens: ledger.tokens.map((t) => (t === entry ? { ...t, usedAt: now } : t)) };
  }
  return capped([...ledger.tokens, { id: presented, parent: null, usedAt: now }]);
}

/** The ledger once `issued` was handed out in exchange for `parent`. */
export function recordIssued(ledger: RefreshLedger, parent: string, issued: string): RefreshLedger {
  if (entryOf(ledger, issued)) return ledger;
  return capped([...ledger.tokens, { id: issued, parent, usedAt: null }]);
}
