// Cached lookups for the proxy's hot path. In steady state a request finds its key records,
// proxy and decrypted provider key here, so no D1 query runs before the upstream fetch.
// Entries are fresh for a few seconds; for a minute after that a request is answered from the
// entry while it reloads in the background (stale-while-revalidate), so a person sending a
// request every few seconds never waits for D1 either. Revocation and deactivation do not
// wait for any of this, because the user's gate Durable Object is asked on every request.
// Admin writes in this isolate drop entries at once.
// Team memberships travel inside the cached records (the key owner's teams with the key, the
// proxy's teams with the proxy), so a team-restricted proxy costs no extra query either.
import { and, eq, sql } from "drizzle-orm";
import {
  llmProxies,
  llmProxyTeams,
  providerKeys,
  teamMembers,
  users,
  virtualKeys,
} from "../../d1/schema";
import { decryptSecret } from "../../shared/crypto";
import { TtlCache, type WaitUntil } from "../../shared/ttl-cache";
import { config } from "../config";
import { db } from "../db";
import type { ProviderId } from "../providers/anthropic";

const TTL_MS = 5_000;
/** How long past its freshness an entry may still answer while it reloads. */
const STALE_MS = 60_000;
const MAX_ENTRIES = 10_000;

export interface KeyRecord {
  id: string;
  orgId: string;
  kind: "standard" | "passthrough";
  ownerUserId: string;
  ownerOrgId: string;
  ownerActive: boolean;
  /** The teams the key's owner belongs to. */
  ownerTeamIds: readonly string[];
  providerKeyId: string | null;
  /** The proxy a Connection key was made for; such keys follow that proxy's provider key. */
  connectionProxyId: string | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface ProxyRecord {
  id: string;
  orgId: string;
  provider: ProviderId;
  providerKeyId: string | null;
  allowedModels: readonly string[] | null;
  allowAnonymous: boolean;
  /** Teams whose members may use the proxy; empty: everyone in the organisation. */
  teamIds: readonly string[];
}

export interface ProviderKeyRecord {
  id: string;
  orgId: string;
  provider: ProviderId;
  secret: string;
  baseUrl: string | null;
}

const keys = new TtlCache<KeyRecord | null>(TTL_MS, MAX_ENTRIES, STALE_MS);
const proxies = new TtlCache<ProxyRecord | null>(TTL_MS, MAX_ENTRIES, STALE_MS);
const defaultProxies = new TtlCache<string | null>(TTL_MS, MAX_ENTRIES, STALE_MS);
const secrets = new TtlCache<ProviderKeyRecord | null>(TTL_MS, MAX_ENTRIES, STALE_MS);

export function findKeyByHash(
  env: Env,
  tokenHash: string,
  waitUntil?: WaitUntil,
): Promise<KeyRecord | null> {
  return keys.getOrRefresh(
    tokenHash,
    async () => {
      const rows = await db(env)
        .select({
          id: virtualKeys.id,
          orgId: virtualKeys.orgId,
          kind: virtualKeys.kind,
          ownerUserId: virtualKeys.ownerUserId,
          ownerOrgId: users.orgId,
          ownerStatus: users.status,
          providerKeyId: virtualKeys.providerKeyId,
          connectionProxyId: virtualKeys.connectionProxyId,
          expiresAt: virtualKeys.expiresAt,
          revokedAt: virtualKeys.revokedAt,
          ownerTeamIds: sql<string>`(SELECT json_group_array(${teamMembers.teamId}) FROM ${teamMembers} WHERE ${teamMembers.userId} = ${users.id})`,
        })
        .from(virtualKeys)
        .innerJoin(users, eq(users.id, virtualKeys.ownerUserId))
        .where(eq(virtualKeys.tokenHash, tokenHash))
        .limit(1);
      const row = rows[0];
      if (!row) return null;
      const { ownerStatus, ownerTeamIds, ...rest } = row;
      return {
        ...rest,
        ownerActive: ownerStatus === "active",
        ownerTeamIds: parseIds(ownerTeamIds),
      };
    },
    waitUntil,
  );
}

export function findProxy(
  env: Env,
  proxyId: string,
  waitUntil?: WaitUntil,
): Promise<ProxyRecord | null> {
  return proxies.getOrRefresh(
    proxyId,
    async () => {
      const rows = await db(env)
        .select({
          proxy: llmProxies,
          teamIds: sql<string>`(SELECT json_group_array(${llmProxyTeams.teamId}) FROM ${llmProxyTeams} WHERE ${llmProxyTeams.proxyId} = ${llmProxies.id})`,
        })
        .from(llmProxies)
        .where(eq(llmProxies.id, proxyId));
      const row = rows[0];
      return row ? toProxyRecord(row.proxy, parseIds(row.teamIds)) : null;
    },
    waitUntil,
  );
}

export async function findDefaultProxy(
  env: Env,
  orgId: string,
  waitUntil?: WaitUntil,
): Promise<ProxyRecord | null> {
  const id = await defaultProxies.getOrRefresh(
    orgId,
    async () => {
      const rows = await db(env)
        .select({ id: llmProxies.id })
        .from(llmProxies)
        .where(and(eq(llmProxies.orgId, orgId), eq(llmProxies.isDefault, true)));
      return rows[0]?.id ?? null;
    },
    waitUntil,
  );
  return id ? findProxy(env, id, waitUntil) : null;
}

export function findProviderKey(
  env: Env,
  id: string,
  waitUntil?: WaitUntil,
): Promise<ProviderKeyRecord | null> {
  return secrets.getOrRefresh(
    id,
    async () => {
      const rows = await db(env).select().from(providerKeys).where(eq(providerKeys.id, id));
      const row = rows[0];
      if (!row) return null;
      const key = await config(env).encryptionKey;
      const secret = await decryptSecret(key, row.secretCiphertext, providerKeyContext(row.id));
      return {
        id: row.id,
        orgId: row.orgId,
        provider: row.provider,
        secret,
        baseUrl: row.baseUrl,
      };
    },
    waitUntil,
  );
}

/** Additional data bound into each ciphertext, so it only decrypts on its own row. */
export const providerKeyContext = (id: string) => `provider_key:${id}`;
export const virtualKeyContext = (id: string) => `virtual_key:${id}`;

/** A team-restricted proxy admits only members of one of its teams. */
export function teamsAllow(proxyTeamIds: readonly string[], userTeamIds: readonly string[]) {
  return proxyTeamIds.length === 0 || proxyTeamIds.some((id) => userTeamIds.includes(id));
}

/** SQLite's json_group_array of ids, as a list. */
function parseIds(json: string | null): string[] {
  const parsed: unknown = JSON.parse(json ?? "[]");
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : [];
}

function toProxyRecord(row: typeof llmProxies.$inferSelect, teamIds: string[]): ProxyRecord {
  return {
    id: row.id,
    orgId: row.orgId,
    provider: row.provider,
    providerKeyId: row.providerKeyId,
    allowedModels: row.allowedModels ?? null,
    allowAnonymous: row.allowAnonymous,
    teamIds,
  };
}

/**
 * Called by admin writes so this isolate sees them at once (other isolates: within TTL_MS
 * while busy, else on the first request after it, which still gets the entry it had).
 */
export const invalidate = {
  key: (tokenHash: string) => keys.delete(tokenHash),
  /** Key records carry their owner's status and teams: a change to either drops them all. */
  allKeys: () => keys.clear(),
  proxy: (id: string) => proxies.delete(id),
  defaultProxy: (orgId: string) => defaultProxies.delete(orgId),
  providerKey: (id: string) => secrets.delete(id),
};
