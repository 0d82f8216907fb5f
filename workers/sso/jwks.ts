// Verifying JWTs (OIDC ID tokens, Cloudflare Access assertions) against a remote JWKS.
// jose's createRemoteJWKSet shares one pending fetch between concurrent callers, and in
// workerd a request must not await I/O another request started; so the key set is fetched
// here per miss and kept, as plain data, in an isolate cache for a few minutes. A token
// signed with a key the cached set lacks triggers one re-fetch (key rotation), at most every
// 30 seconds per URL.
import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type JWTVerifyResult,
  jwtVerify,
} from "jose";
import { z } from "zod";
import { TtlCache } from "../../shared/ttl-cache";
import { FetchJsonError, fetchJson } from "./fetch-json";

/**
 * Asymmetric algorithms only. HS* would let anyone holding the client secret (or, for a
 * public client, anyone) mint tokens, and `none` is no signature at all.
 */
export const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

interface KeySet {
  keys: JWTVerifyGetKey;
  fetchedAt: number;
}

const CACHE_TTL_MS = 5 * 60 * 1000;
const REFETCH_COOLDOWN_MS = 30_000;
const cache = new TtlCache<KeySet>(CACHE_TTL_MS, 100);

const Jwks = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) });

async function load(uri: string): Promise<KeySet> {
  const parsed = Jwks.safeParse(await fetchJson(uri));
  if (!parsed.success) throw new FetchJsonError(`${uri} is not a JSON Web Key Set.`);
  const keySet: KeySet = {
    keys: createLocalJWKSet(parsed.data as JSONWebKeySet),
    fetchedAt: Date.now(),
  };
  cache.set(uri, keySet);
  return keySet;
}

/** Throws jose's errors for a bad token, FetchJsonError when the key set cannot be fetched. */
export async function verifyWithJwks(
  token: string,
  jwksUri: string,
  options: JWTVerifyOptions,
): Promise<JWTVerifyResult> {
  const verifyOptions = { ...options, algorithms: options.algorithms ?? ASYMMETRIC_ALGORITHMS };
  const cached = cache.get(jwksUri) ?? (await load(jwksUri));
  try {
    return await jwtVerify(token, cached.keys, verifyOptions);
  } catch (err) {
    const stale = Date.now() - cached.fetchedAt > REFETCH_COOLDOWN_MS;
    if (err instanceof errors.JWKSNoMatchingKey && stale) {
      return jwtVerify(token, (await load(jwksUri)).keys, verifyOptions);
    }
    throw err;
  }
}

export type TokenProblem =
  | "signature"
  | "algorithm"
  | "issuer"
  | "audience"
  | "expired"
  | "invalid"
  | "unavailable";

/** What is wrong with a token, from the error verifyWithJwks threw; detail never holds it. */
export function tokenProblem(err: unknown): { problem: TokenProblem; detail: string } {
  if (err instanceof FetchJsonError) {
    return { problem: "unavailable", detail: `signing keys unavailable: ${err.message}` };
  }
  if (err instanceof errors.JWTExpired) {
    return { problem: "expired", detail: "the token has expired" };
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "iss") return { problem: "issuer", detail: "unexpected issuer (iss)" };
    if (err.claim === "aud") return { problem: "audience", detail: "unexpected audience (aud)" };
    return { problem: "invalid", detail: `claim ${err.claim} failed: ${err.reason}` };
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return { problem: "algorithm", detail: "signing algorithm not allowed (asymmetric only)" };
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return { problem: "signature", detail: "signature verification failed" };
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return { problem: "signature", detail: "no signing key in the key set matches the token" };
  }
  if (err instanceof errors.JOSEError) {
    return { problem: "invalid", detail: `malformed token (${err.code})` };
  }
  throw err;
}
