// Where single sign-on may send the Worker's own fetches: identity providers and Cloudflare
// Access are reached over HTTPS only. Plain http is allowed for loopback hosts alone, so the
// tests (and a local run) can use a fake identity provider without opening a hole elsewhere.

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith(".localhost");
}

/** The URL if it is https (or http on loopback) with no credentials in it; else null. */
export function safeFetchUrl(text: string): URL | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackUrl(url)) return url;
  return null;
}

/**
 * A dashboard path to come back to after sign-in: same origin by construction. "//host" and
 * "/\host" are refused because browsers read both as another host.
 */
export function isSafeReturnPath(path: string): boolean {
  return (
    path.startsWith("/") &&
    !path.startsWith("//") &&
    !path.startsWith("/\\") &&
    path.length <= 4096 &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point.
    !/[\u0000-\u001f\u007f\\]/.test(path)
  );
}

/**
 * The base URL of a Cloudflare Access team: "acme.cloudflareaccess.com" means
 * https://acme.cloudflareaccess.com; a loopback base such as "http://127.0.0.1:8787" is kept.
 */
export function accessTeamBase(teamDomain: string): string {
  return /^https?:\/\//i.test(teamDomain) ? teamDomain : `https://${teamDomain}`;
}

/** Stores a team domain as a bare host (https) or a loopback base (http); null when invalid. */
export function normaliseTeamDomain(input: string): string | null {
  const trimmed = input.trim().replace(/\/+$/, "");
  const url = safeFetchUrl(/^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  if (!url || (url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) return null;
  return url.protocol === "https:" ? url.host : url.origin;
}
