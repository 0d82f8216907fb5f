// Who is this request, which proxy does it use, and what credential goes upstream? The
// contract (DESIGN.md, "LLM proxy"): a standard `arch_` key is swapped for the proxy's real
// provider key; anything else is a direct provider credential forwarded as is and needs a
// passthrough key in X-Archestra-Virtual-Key to say whose request it is.
import { sha256Hex } from "../../shared/crypto";
import { TtlCache, type WaitUntil } from "../../shared/ttl-cache";
import { badRequest, forbidden, GatewayError, notFound, unauthorized } from "../errors";
import { PROVIDERS } from "../providers/anthropic";
import {
  findDefaultProxy,
  findKeyByHash,
  findProviderKey,
  findProxy,
  type KeyRecord,
  type ProxyRecord,
  teamsAllow,
} from "./lookups";

export const VIRTUAL_KEY_PREFIX = "arch_";
export const PASSTHROUGH_HEADER = "x-archestra-virtual-key";
export const AGENT_HEADER = "x-archestra-agent-id";
export const OWNER_DEACTIVATED = "This key's owner has been deactivated.";

export interface Admission {
  proxy: ProxyRecord;
  /** The user the request is attributed to; null for a proxy's anonymous traffic. */
  userId: string | null;
  orgId: string;
  standardKey: KeyRecord | null;
  passthroughKey: KeyRecord | null;
  upstream: { baseUrl: string; header: "x-api-key" | "authorization"; value: string };
  credential: "virtual_key" | "direct";
  billingMode: "metered" | "subscription";
}

interface PresentedCredential {
  header: "x-api-key" | "authorization";
  value: string;
}

function presentedCredential(headers: Headers): PresentedCredential | null {
  const apiKey = headers.get("x-api-key")?.trim();
  if (apiKey) return { header: "x-api-key", value: apiKey };
  const auth = headers.get("authorization")?.trim();
  if (!auth) return null;
  const match = /^Bearer\s+(.+)$/i.exec(auth);
  if (!match?.[1]) throw unauthorized("The Authorization header must be 'Bearer <key>'.");
  return { header: "authorization", value: match[1].trim() };
}

/**
 * A key no one holds. Only this refusal counts towards the key-guessing lockout: a revoked,
 * expired or deactivated person's key is real, and its holder retrying is not guessing.
 */
export class UnknownKeyError extends GatewayError {
  constructor(message: string) {
    super(401, message);
  }
}

/**
 * Hashes of the virtual keys this isolate has seen lately, so a key is hashed once rather than
 * on every request. The tokens stay in the isolate's memory for up to ten minutes (never
 * written anywhere, never logged), as decrypted provider keys do in lookups.ts.
 */
const tokenHashes = new TtlCache<string>(10 * 60_000, 10_000);

function tokenHash(token: string): Promise<string> {
  return tokenHashes.getOrLoad(token, () => sha256Hex(token));
}

async function lookUpVirtualKey(
  env: Env,
  token: string,
  where: string,
  waitUntil: WaitUntil,
): Promise<KeyRecord> {
  const record = await findKeyByHash(env, await tokenHash(token), waitUntil);
  if (!record) throw new UnknownKeyError(`The virtual key in ${where} is not valid.`);
  if (record.revokedAt !== null) throw unauthorized("This virtual key has been revoked.");
  if (record.expiresAt !== null && record.expiresAt <= Date.now()) {
    throw unauthorized("This virtual key has expired.");
  }
  return record;
}

/** `waitUntil` keeps the background reloads of cached records alive past the response. */
export async function admit(
  env: Env,
  headers: Headers,
  proxyId: string | undefined,
  waitUntil: WaitUntil,
) {
  const presented = presentedCredential(headers);
  if (!presented) {
    throw unauthorized("Missing API key: send it in x-api-key or Authorization: Bearer.");
  }
  const passthroughToken = headers.get(PASSTHROUGH_HEADER)?.trim() || null;

  let standardKey: KeyRecord | null = null;
  if (presented.value.startsWith(VIRTUAL_KEY_PREFIX)) {
    standardKey = await lookUpVirtualKey(env, presented.value, "the API key header", waitUntil);
    if (standardKey.kind === "passthrough") {
      throw badRequest(
        "A passthrough key carries no provider credential and cannot be the API key. " +
          "Send it in X-Archestra-Virtual-Key, with a standard key or provider credential as the API key.",
      );
    }
  }

  let passthroughKey: KeyRecord | null = null;
  if (passthroughToken) {
    if (!passthroughToken.startsWith(VIRTUAL_KEY_PREFIX)) {
      throw unauthorized("X-Archestra-Virtual-Key must hold a Gatehouse passthrough key.");
    }
    passthroughKey = await lookUpVirtualKey(
      env,
      passthroughToken,
      "X-Archestra-Virtual-Key",
      waitUntil,
    );
    if (passthroughKey.kind === "standard") {
      throw badRequest(
        "X-Archestra-Virtual-Key takes a passthrough key; a standard key goes in the API key header.",
      );
    }
  }

  const attributedKey = passthroughKey ?? standardKey;
  const proxy = await resolveProxy(env, proxyId, attributedKey?.orgId, waitUntil);
  if (!attributedKey && !proxy.allowAnonymous) {
    throw unauthorized(
      "A provider credential needs a passthrough key in X-Archestra-Virtual-Key to say whose request it is.",
    );
  }
  for (const key of [standardKey, passthroughKey]) {
    if (key && (key.orgId !== proxy.orgId || key.ownerOrgId !== proxy.orgId)) {
      throw forbidden("The owner of this key is not allowed to use this LLM proxy.");
    }
    // The owner's gate says so too, at once; this catches it once the cached record is fresh.
    if (key && !key.ownerActive) throw unauthorized(OWNER_DEACTIVATED);
  }
  if (!teamsAllow(proxy.teamIds, attributedKey?.ownerTeamIds ?? [])) {
    throw forbidden(
      attributedKey
        ? "The owner of this key is not a member of a team allowed to use this LLM proxy."
        : "This LLM proxy is restricted to teams: send a passthrough key in X-Archestra-Virtual-Key to say whose request it is.",
    );
  }

  const spec = PROVIDERS[proxy.provider];
  const admission: Omit<Admission, "upstream" | "credential" | "billingMode"> = {
    proxy,
    userId: attributedKey?.ownerUserId ?? null,
    orgId: proxy.orgId,
    standardKey,
    passthroughKey,
  };
  if (standardKey) {
    // A Connection key stands for "this proxy's provider key", so it follows the proxy when an
    // admin points it at another key; any other standard key uses the key it was bound to.
    const providerKeyId =
      standardKey.connectionProxyId === proxy.id
        ? proxy.providerKeyId
        : (standardKey.providerKeyId ?? proxy.providerKeyId);
    const providerKey = providerKeyId ? await findProviderKey(env, providerKeyId, waitUntil) : null;
    if (!providerKey || providerKey.orgId !== proxy.orgId || providerKey.provider !== spec.id) {
      throw forbidden("This virtual key has no usable provider key for this LLM proxy.");
    }
    return {
      ...admission,
      upstream: {
        baseUrl: providerKey.baseUrl ?? spec.defaultBaseUrl,
        header: spec.keyHeader,
        value: providerKey.secret,
      },
      credential: "virtual_key",
      billingMode: "metered",
    } satisfies Admission;
  }
  const proxyKey = proxy.providerKeyId
    ? await findProviderKey(env, proxy.providerKeyId, waitUntil)
    : null;
  return {
    ...admission,
    upstream: {
      baseUrl: proxyKey?.baseUrl ?? spec.defaultBaseUrl,
      header: presented.header,
      value: headers.get(presented.header) ?? presented.value,
    },
    credential: "direct",
    billingMode: presented.value.startsWith(spec.subscriptionTokenPrefix)
      ? "subscription"
      : "metered",
  } satisfies Admission;
}

async function resolveProxy(
  env: Env,
  proxyId: string | undefined,
  orgId: string | undefined,
  waitUntil: WaitUntil,
): Promise<ProxyRecord> {
  if (proxyId) {
    const proxy = await findProxy(env, proxyId, waitUntil);
    if (!proxy) throw notFound(`No LLM proxy with id '${proxyId}'.`);
    return proxy;
  }
  if (!orgId) {
    throw unauthorized(
      "The default proxy route needs a virtual key to find the organisation; use /v1/anthropic/<proxy-id>.",
    );
  }
  const proxy = await findDefaultProxy(env, orgId, waitUntil);
  if (!proxy) throw notFound("This organisation has no default LLM proxy yet.");
  return proxy;
}
