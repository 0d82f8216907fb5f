// "SSO only": password sign-in is refused for everyone but admins, who keep it as the
// break-glass way in when the identity provider is down or misconfigured. The password
// sign-in route calls this after checking the password, before starting a session.
import { loadSettings } from "./settings";

export async function passwordSignInRefusal(
  env: Env,
  user: { orgId: string; role: string },
): Promise<string | null> {
  if (user.role === "admin") return null;
  const settings = await loadSettings(env, user.orgId);
  if (!settings.ssoOnly) return null;
  const via = settings.oidcEnabled ? "“Sign in with SSO”" : "your organisation's Cloudflare Access";
  return `Your organisation signs in with single sign-on only: use ${via} instead of a password.`;
}
