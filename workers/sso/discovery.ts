// OIDC discovery (/.well-known/openid-configuration): fetched and checked when an admin saves
// the settings, and cached in the isolate for a few minutes for sign-ins. Every check failure
// names what is wrong, for the 400 an admin sees.
import { z } from "zod";
import { TtlCache } from "../../shared/ttl-cache";
import { FetchJsonError, fetchJson } from "./fetch-json";
import { safeFetchUrl } from "./urls";

export interface Discovery {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  /** How the token endpoint wants the client to authenticate (spec default: basic). */
  tokenAuthMethods: string[];
}

export class DiscoveryError extends Error {}

const Document = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  response_types_supported: z.array(z.string()).default([]),
  code_challenge_methods_supported: z.array(z.string()).default([]),
  token_endpoint_auth_methods_supported: z.array(z.string()).default(["client_secret_basic"]),
});

const CACHE_TTL_MS = 5 * 60 * 1000;
const cache = new TtlCache<Discovery>(CACHE_TTL_MS, 100);

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
}

/** Fetches and checks the issuer's discovery document afresh, and caches it. */
export async function fetchDiscovery(issuer: string): Promise<Discovery> {
  let json: unknown;
  try {
    json = await fetchJson(discoveryUrl(issuer));
  } catch (err) {
    if (err instanceof FetchJsonError) {
      throw new DiscoveryError(`its discovery document could not be read: ${err.message}`);
    }
    throw err;
  }
  const parsed = Document.safeParse(json);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => i.path.join(".")).join(", ");
    throw new DiscoveryError(`its discovery document lacks or mistypes: ${missing}.`);
  }
  const doc = parsed.data;
  if (doc.issuer !== issuer) {
    throw new DiscoveryError(
      `its discovery document names the issuer "${doc.issuer}", not "${issuer}" (they must match exactly).`,
    );
  }
  for (const [name, url] of [
    ["authorization_endpoint", doc.authorization_endpoint],
    ["token_endpoint", doc.token_endpoint],
    ["jwks_uri", doc.jwks_uri],
  ] as const) {
    if (!safeFetchUrl(url)) throw new DiscoveryError(`its ${name} is not an https URL.`);
  }
  if (!doc.response_types_supported.includes("code")) {
    throw new DiscoveryError(
      "it does not support the authorization code flow (response type code).",
    );
  }
  if (!doc.code_challenge_methods_supported.includes("S256")) {
    throw new DiscoveryError(
      "it does not advertise PKCE with S256 (code_challenge_methods_supported).",
    );
  }
  const result: Discovery = {
    issuer: doc.issuer,
    authorizationEndpoint: doc.authorization_endpoint,
    tokenEndpoint: doc.token_endpoint,
    jwksUri: doc.jwks_uri,
    tokenAuthMethods: doc.token_endpoint_auth_methods_supported,
  };
  cache.set(issuer, result);
  return result;
}

/** The cached discovery document, fetched when missing or stale. */
export function discovery(issuer: string): Promise<Discovery> {
  return cache.getOrLoad(issuer, () => fetchDiscovery(issuer));
}
