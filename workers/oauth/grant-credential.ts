// Authorization codes and refresh tokens of workers-oauth-provider name their grant:
// `<userId>:<grantId>:<secret>`. The library builds KV keys from those ids without bounding
// them, so an oversized id made KV throw and the token endpoint answer 500; such a credential is
// refused here as what it is, an invalid grant (RFC 6749 §5.2).

export interface GrantRef {
  userId: string;
  grantId: string;
}

/** The ids of credentials the library issues: ours (`usr_…`) and its random 16-character ones. */
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The grant a code or token names, or null when it cannot be one the library issued. */
export function grantOfCredential(credential: string): GrantRef | null {
  const [userId, grantId, secret, ...rest] = credential.split(":");
  if (!userId || !grantId || !secret || rest.length > 0) return null;
  return ID.test(userId) && ID.test(grantId) ? { userId, grantId } : null;
}

export const NOT_ISSUED_HERE = "This code or token was not issued by this server.";

/** The token endpoint's `invalid_grant` answer, shaped as the library shapes its own. */
export function invalidGrant(description: string): Response {
  return Response.json(
    { error: "invalid_grant", error_description: description },
    { status: 400, headers: { "cache-control": "no-store", pragma: "no-cache" } },
  );
}
