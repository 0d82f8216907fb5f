// A single sign-on attempt refused for a reason the user or an admin can act on. The OIDC
// routes turn it into a redirect to /sign-in?error=<code> plus an audit entry; Cloudflare
// Access turns it into a 401. `detail` is for the audit log and never holds a token.
import type { SsoErrorCode } from "../../shared/api-types";

export class SsoRefusal extends Error {
  constructor(
    readonly code: SsoErrorCode,
    readonly detail: string,
    /** Who was trying, when it is known by then. */
    readonly actor: { email?: string; userId?: string } = {},
  ) {
    super(detail);
  }
}
