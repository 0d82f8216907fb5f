// ID token validation (OIDC Core §3.1.3.7): signature through the provider's JWKS with an
// asymmetric algorithm, issuer, audience (and azp when there are several audiences), expiry
// and issue time with a small clock tolerance, the nonce of this sign-in, and an email that
// the provider has not marked unverified.
import type { JWTPayload } from "jose";
import type { SsoErrorCode } from "../../shared/api-types";
import { constantTimeEqual } from "../../shared/crypto";
import type { Discovery } from "./discovery";
import { type TokenProblem, tokenProblem, verifyWithJwks } from "./jwks";
import { SsoRefusal } from "./refusal";

export interface VerifiedIdToken {
  payload: JWTPayload & Record<string, unknown>;
  subject: string;
  email: string;
  name: string | null;
}

const CODE_FOR: Record<TokenProblem, SsoErrorCode> = {
  signature: "token_signature",
  algorithm: "token_algorithm",
  issuer: "token_issuer",
  audience: "token_audience",
  expired: "token_expired",
  invalid: "invalid_token",
  unavailable: "idp_unavailable",
};

const CLOCK_TOLERANCE_S = 60;
// A token fresh from the code exchange; an old one is a replay however it got here.
const MAX_TOKEN_AGE = "10 minutes";

export async function verifyIdToken(
  idToken: string,
  discovery: Discovery,
  expected: { clientId: string; nonce: string },
): Promise<VerifiedIdToken> {
  let payload: JWTPayload;
  try {
    ({ payload } = await verifyWithJwks(idToken, discovery.jwksUri, {
      issuer: discovery.issuer,
      audience: expected.clientId,
      clockTolerance: CLOCK_TOLERANCE_S,
      maxTokenAge: MAX_TOKEN_AGE,
      requiredClaims: ["sub", "exp", "iat"],
    }));
  } catch (err) {
    const { problem, detail } = tokenProblem(err);
    throw new SsoRefusal(CODE_FOR[problem], `ID token refused: ${detail}`);
  }
  const claims = payload as JWTPayload & Record<string, unknown>;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const azp = claims.azp;
  if ((audiences.length > 1 || azp !== undefined) && azp !== expected.clientId) {
    throw new SsoRefusal(
      "token_audience",
      "ID token refused: several audiences and no authorized party (azp) naming this client",
    );
  }
  const nonce = typeof claims.nonce === "string" ? claims.nonce : "";
  if (!constantTimeEqual(nonce, expected.nonce)) {
    throw new SsoRefusal("token_nonce", "ID token refused: the nonce is not this sign-in's");
  }
  const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
    throw new SsoRefusal("email_missing", "the ID token carries no email address");
  }
  if (claims.email_verified === false || claims.email_verified === "false") {
    throw new SsoRefusal("email_unverified", "the provider says the email is not verified", {
      email,
    });
  }
  const name = typeof claims.name === "string" ? claims.name.trim().slice(0, 120) : "";
  return { payload: claims, subject: String(claims.sub), email, name: name || null };
}
