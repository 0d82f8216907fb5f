// The authorization code → tokens exchange at the provider's token endpoint, with the PKCE
// verifier and, for a confidential client, its secret (client_secret_basic unless the
// provider only takes client_secret_post). Only the ID token is kept from the answer.
import { z } from "zod";
import type { Discovery } from "./discovery";
import { FetchJsonError, fetchJson } from "./fetch-json";
import { SsoRefusal } from "./refusal";

export interface CodeExchange {
  code: string;
  codeVerifier: string;
  redirectUri: string;
  clientId: string;
  clientSecret: string | null;
}

const TokenResponse = z.object({ id_token: z.string().min(1) });

/** RFC 6749 §2.3.1: the id and secret are form-encoded before going into Basic. */
function basicAuth(id: string, secret: string) {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return `Basic ${btoa(`${enc(id)}:${enc(secret)}`)}`;
}

export async function exchangeCode(discovery: Discovery, x: CodeExchange): Promise<string> {
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    code: x.code,
    redirect_uri: x.redirectUri,
    code_verifier: x.codeVerifier,
  });
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
  };
  const methods = discovery.tokenAuthMethods;
  if (x.clientSecret === null) {
    form.set("client_id", x.clientId);
  } else if (!methods.includes("client_secret_basic") && methods.includes("client_secret_post")) {
    form.set("client_id", x.clientId);
    form.set("client_secret", x.clientSecret);
  } else {
    headers.authorization = basicAuth(x.clientId, x.clientSecret);
  }
  let json: unknown;
  try {
    json = await fetchJson(discovery.tokenEndpoint, { method: "POST", headers, body: form });
  } catch (err) {
    if (err instanceof FetchJsonError) {
      throw new SsoRefusal("token_exchange_failed", `token endpoint: ${err.message}`);
    }
    throw err;
  }
  const parsed = TokenResponse.safeParse(json);
  if (!parsed.success) {
    throw new SsoRefusal("token_exchange_failed", "the token endpoint returned no id_token");
  }
  return parsed.data.id_token;
}
