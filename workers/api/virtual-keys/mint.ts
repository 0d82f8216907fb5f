// Making, finding and revoking virtual keys. The token is `arch_` + 256 random bits; it is
// stored as a SHA-256 hash (for lookup) and an AES-GCM copy (so its owner can fetch it again).

import { and, eq, isNull } from "drizzle-orm";
import { type VirtualKey, virtualKeys } from "../../../d1/schema";
import type { VirtualKeyView } from "../../../shared/api-types";
import { decryptSecret, encryptSecret, randomToken, sha256Hex } from "../../../shared/crypto";
import { newId } from "../../../shared/ids";
import { config } from "../../config";
import { db } from "../../db";
import { userGate } from "../../limits/gates";
import { VIRTUAL_KEY_PREFIX } from "../../proxy/admission";
import { invalidate, virtualKeyContext } from "../../proxy/lookups";

export interface MintInput {
  orgId: string;
  name: string;
  kind: VirtualKey["kind"];
  ownerUserId: string;
  providerKeyId: string | null;
  connectionProxyId?: string | null;
  expiresAt?: number | null;
  createdBy: string;
}

/** Characters of the token shown in lists and logs: "arch_" and 8 more. */
export const TOKEN_PREFIX_LENGTH = 13;

/**
 * Inserts a new key. For a Connection key, a concurrent twin may win the unique index: then
 * nothing is inserted and null comes back, and the caller reads the winner.
 */
export async function mintKey(env: Env, input: MintInput) {
  const token = randomToken(VIRTUAL_KEY_PREFIX);
  const id = newId("vk");
  const row: VirtualKey = {
    id,
    orgId: input.orgId,
    name: input.name,
    kind: input.kind,
    ownerUserId: input.ownerUserId,
    providerKeyId: input.kind === "standard" ? input.providerKeyId : null,
    tokenHash: await sha256Hex(token),
    tokenPrefix: token.slice(0, TOKEN_PREFIX_LENGTH),
    tokenCiphertext: await encryptSecret(
      await config(env).encryptionKey,
      token,
      virtualKeyContext(id),
    ),
    connectionProxyId: input.connectionProxyId ?? null,
    createdBy: input.createdBy,
    createdAt: Date.now(),
    expiresAt: input.expiresAt ?? null,
    revokedAt: null,
    lastUsedAt: null,
  };
  const result = await db(env).insert(virtualKeys).values(row).onConflictDoNothing();
  return result.meta.changes === 0 ? null : { row, token };
}

export function revealToken(env: Env, row: VirtualKey): Promise<string> {
  return config(env).encryptionKey.then((key) =>
    decryptSecret(key, row.tokenCiphertext, virtualKeyContext(row.id)),
  );
}

/**
 * Revokes at the owner's gate first (every later request is refused from that moment, whatever
 * any isolate has cached), then records it in D1.
 */
export async function revokeKeys(env: Env, rows: readonly VirtualKey[]) {
  const byOwner = new Map<string, VirtualKey[]>();
  for (const row of rows)
    byOwner.set(row.ownerUserId, [...(byOwner.get(row.ownerUserId) ?? []), row]);
  await Promise.all(
    [...byOwner].map(([owner, keys]) =>
      userGate(env, `user:${owner}`).revoke(keys.map((k) => k.id)),
    ),
  );
  const now = Date.now();
  for (const row of rows) {
    await db(env)
      .update(virtualKeys)
      .set({ revokedAt: now })
      .where(and(eq(virtualKeys.id, row.id), isNull(virtualKeys.revokedAt)));
    invalidate.key(row.tokenHash);
  }
}

export function publicKey(r: VirtualKey, owner?: { email: string; name: string }): VirtualKeyView {
  const now = Date.now();
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    ownerUserId: r.ownerUserId,
    ...(owner ? { ownerEmail: owner.email, ownerName: owner.name } : {}),
    providerKeyId: r.providerKeyId,
    prefix: r.tokenPrefix,
    connectionProxyId: r.connectionProxyId,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    revokedAt: r.revokedAt,
    lastUsedAt: r.lastUsedAt,
    status: r.revokedAt
      ? "revoked"
      : r.expiresAt !== null && r.expiresAt <= now
        ? "expired"
        : "active",
  };
}
