// The scopes MCP clients are told to ask for. The official MCP SDK requests the `scope` of the
// WWW-Authenticate challenge, else the protected-resource metadata's `scopes_supported`, and
// nothing else. workers-oauth-provider names only what the resource requires there and drops
// `offline_access` by design (refresh is not a resource requirement), so clients asked for `mcp`
// alone. Gatehouse's contract is that clients ask for both `mcp` and `offline_access`, so both
// are put back into the library's challenges and metadata here.
import { SCOPES_SUPPORTED } from "./server";

const SCOPE_PARAM = /(^Bearer\s+|,\s*)scope="[^"]*"/i;

/** A Bearer challenge naming the advertised scopes (an existing `scope` is replaced). */
export function advertisedChallenge(challenge: string): string {
  const scope = `scope="${SCOPES_SUPPORTED.join(" ")}"`;
  // Only the first match is replaced: the library writes `scope` before any description.
  if (SCOPE_PARAM.test(challenge)) return challenge.replace(SCOPE_PARAM, `$1${scope}`);
  return `${challenge}, ${scope}`;
}

/** `res`, if it is a 401/403 Bearer challenge, naming the advertised scopes. */
export function withAdvertisedChallenge(res: Response): Response {
  if (res.status !== 401 && res.status !== 403) return res;
  const challenge = res.headers.get("www-authenticate");
  if (!challenge || !/^Bearer\b/i.test(challenge)) return res;
  const copy = new Response(res.body, res);
  copy.headers.set("www-authenticate", advertisedChallenge(challenge));
  return copy;
}

/** A protected-resource metadata answer whose `scopes_supported` is the advertised scopes. */
export async function withAdvertisedMetadata(res: Response): Promise<Response> {
  const type = res.headers.get("content-type") ?? "";
  if (res.status !== 200 || !type.includes("application/json")) return res;
  const text = await res.text();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return new Response(text, res);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return new Response(text, res);
  const body = JSON.stringify({ ...doc, scopes_supported: [...SCOPES_SUPPORTED] });
  const copy = new Response(body, res);
  copy.headers.delete("content-length");
  return copy;
}
