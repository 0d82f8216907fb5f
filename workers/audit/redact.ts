// What the audit log stores is scrubbed of secrets first. Two nets, because either alone
// misses something: field names that hold secrets (whatever their value looks like), and
// values that look like Gatehouse or Anthropic credentials (wherever they appear, even inside
// a longer string such as a downloaded profile's text). Over-redacting is fine; a public key
// prefix shown as "[redacted]" costs nothing.

export const REDACTED = "[redacted]";

const SECRET_KEYS = new Set([
  "secret",
  "password",
  "token",
  "apikey",
  "xapikey",
  "clientsecret",
  "oidcclientsecret",
  "authorization",
  "cookie",
  "setcookie",
  "xarchestravirtualkey",
  "xsetuptoken",
]);
const SECRET_KEY_ENDINGS = ["secret", "token", "password", "ciphertext", "hash"];

/** arch_ (virtual keys), gha_ (API tokens), ses_, inv_, pwr_ (session, invitation and reset
 * tokens) and Anthropic keys and subscription tokens, not preceded by a letter or digit. */
const SECRET_VALUE =
  /(?<![A-Za-z0-9])(?:(?:arch|gha|ses|inv|pwr)_[A-Za-z0-9_-]{4,}|sk-ant-[A-Za-z0-9_-]{4,})/g;
/**
 * Session, invitation and reset *ids* share those prefixes but are public (shared/ids.ts:
 * exactly 20 characters of [0-9a-z]); tokens are 43 base64url characters, so the two never
 * meet, and ids stay readable in the log.
 */
const PUBLIC_ID = /^(?:ses|inv|pwr)_[0-9a-z]{20}$/;

const MAX_DEPTH = 32;

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  return SECRET_KEYS.has(k) || SECRET_KEY_ENDINGS.some((end) => k.endsWith(end));
}

/** The text with every credential-looking run replaced. */
export function scrubText(text: string): string {
  return text.replace(SECRET_VALUE, (match) => (PUBLIC_ID.test(match) ? match : REDACTED));
}

/** A copy of a JSON value with secret fields and credential-looking strings replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // A boolean ("hasClientSecret") says whether a secret exists, never what it is.
    const hidden = isSecretKey(key) && v !== null && v !== undefined && typeof v !== "boolean";
    out[key] = hidden ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
