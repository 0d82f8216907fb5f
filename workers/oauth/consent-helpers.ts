// Small pieces of the consent API: which scopes a consent grants, and carrying the library's
// consent headers (binding cookie, no-store, anti-framing) onto our JSON answers.
import { SCOPES_SUPPORTED } from "./server";

/**
 * What allowing grants: `mcp` always (it is what using a gateway means), plus `offline_access`
 * when the client asked for it. Anything else a client asks for is not ours to give.
 */
export function grantedScopes(requested: readonly string[]): string[] {
  const granted = ["mcp"];
  if (requested.includes("offline_access")) granted.push("offline_access");
  return granted.filter((s) => (SCOPES_SUPPORTED as readonly string[]).includes(s));
}

/** Copies the helpers' headers onto `res`, cookies appended; `Location` is left out (JSON answer). */
export function withConsentHeaders(res: Response, headers: Headers): Response {
  for (const cookie of headers.getAll("set-cookie")) res.headers.append("set-cookie", cookie);
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (lower !== "set-cookie" && lower !== "location") res.headers.set(name, value);
  });
  return res;
}

export const CONSENT_EXPIRED =
  "This consent page has expired; start connecting again from your app.";
