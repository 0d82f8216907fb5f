// Cached lookups for the proxy's hot path. In steady state a request finds its key records,
// proxy and decrypted provider key here, so no D1 query runs before the upstream fetch.
// Entries are fresh for a few seconds; for a minute after that a request is answered from the
// entry while it refreshes in the background (stale-while-revalidate), so a person sending a
// request every few seconds never waits for D1 either. A refresh first asks whether the
// record's organisation changed anything the proxy caches since it was loaded (its
// config_revision, bumped by triggers on every such write; one read per organisation every
// few seconds, cached here too) and keeps the record if not, so steady traffic costs D1 one
// statement per organisation per isolate every few seconds, not one per record. Revocation and deactivation do not
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
import { forgetRevisions, revisionColumn, revisionOf, stillCurrent } from "../config-revision";
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
  /** The organisation's config_revision when this was loaded. */
  revision: number;
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
  revision: number;
}

export interface ProviderKeyRecord {
  id: string;
  orgId: string;
  provider: ProviderId;
  secret: string;
  baseUrl: string | null;
  revision: number;
}

const keys = new TtlCache<KeyRecord | null>(TTL_MS, MAX_ENTRIES, STALE_MS);
const proxies = new TtlCache<ProxyRecord | null>(TTL_MS, MAX_ENTRIES, STALE_MS);
const defaultProxies = new TtlCache<{ id: string | null; revision: number }>(
  TTL_MS,
  MAX_ENTRIES,
  STALE_MS,
);
const secrets = new TtlCache<ProviderKeyRecord | null>(TTL_MS, MAX_ENTRIES, STALE_MS);
export function findKeyByHash(
  env: Env,
  tokenHash: string,
  waitUntil?: WaitUntil,
): Promise<KeyRecord | null> {
  return keys.getOrRefresh(
    tokenHash,
    async (previous) => {
      if (previous && (await stillCurrent(env, previous, waitUntil))) return previous;
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
          revision: revisionColumn(virtualKeys.orgId),
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
    async (previous) => {
      if (previous && (await stillCurrent(env, previous, waitUntil))) return previous;
      const rows = await db(env)
        .select({
          proxy: llmProxies,
          teamIds: sql<string>`(SELECT json_group_array(${llmProxyTeams.teamId}) FROM ${llmProxyTeams} WHERE ${llmProxyTeams.proxyId} = ${llmProxies.id})`,
          revision: revisionColumn(llmProxies.orgId),
        })
        .from(llmProxies)
        .where(eq(llmProxies.id, proxyId));
      const row = rows[0];
      return row ? toProxyRecord(row.proxy, parseIds(row.teamIds), row.revision) : null;
    },
    waitUntil,
  );
}

export async function findDefaultProxy(
  env: Env,
  orgId: string,
  waitUntil?: WaitUntil,
): Promise<ProxyRecord | null> {
  const { id } = await defaultProxies.getOrRefresh(
    orgId,
    async (previous) => {
      if (previous && (await stillCurrent(env, { orgId, ...previous }, waitUntil))) {
        return previous;
      }
      const revision = (await revisionOf(env, orgId)) ?? 0;
      const rows = await db(env)
        .select({ id: llmProxies.id })
        .from(llmProxies)
        .where(and(eq(llmProxies.orgId, orgId), eq(llmProxies.isDefault, true)));
      return { id: rows[0]?.id ?? null, revision };
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
    async (previous) => {
      if (previous && (await stillCurrent(env, previous, waitUntil))) return previous;
      const rows = await db(env)
        .select({ row: providerKeys, revision: revisionColumn(providerKeys.orgId) })
        .from(providerKeys)
        .where(eq(providerKeys.id, id));
      const found = rows[0];
      if (!found) return null;
      const { row, revision } = found;
      const key = await config(env).encryptionKey;
      const secret = await decryptSecret(key, row.secretCiphertext, providerKeyContext(row.id));
      return {
        id: row.id,
        orgId: row.orgId,
        provider: row.provider,
        secret,
        baseUrl: row.baseUrl,
        revision,
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

function toProxyRecord(
  row: typeof llmProxies.$inferSelect,
  teamIds: string[],
  revision: number,
): ProxyRecord {
  return {
    revision,
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
 * Called by admin writes so this isolate sees them at once (other isolates: when they next
 * read the organisation's revision, within 2 × TTL_MS while busy, else on the first request
 * after it, which still gets the entry it had). Each also forgets the revisions read, so the
 * other records of the organisation are checked again at their next refresh.
 */
export const invalidate = {
  key: (tokenHash: string) => forget(() => keys.delete(tokenHash)),
  /** Key records carry their owner's status and teams: a change to either drops them all. */
  allKeys: () => forget(() => keys.clear()),
  proxy: (id: string) => forget(() => proxies.delete(id)),
  defaultProxy: (orgId: string) => forget(() => defaultProxies.delete(orgId)),
  providerKey: (id: string) => forget(() => secrets.delete(id)),
};

function forget(drop: () => void): void {
  drop();
  forgetRevisions();
}
