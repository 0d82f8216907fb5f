// Secrets at rest (a key ring, so ENCRYPTION_KEY can be rotated), token hashing and password
// hashing, all through WebCrypto.
import { fromBase64Url, randomBytes, toBase64Url, toHex, utf8 } from "./encoding";

// Ciphertexts: "v2.<key id>.<iv>.<sealed>" since keys can be rotated; "v1.<iv>.<sealed>" (no
// key id) from before, still opened by trying each key of the ring.
const LEGACY_VERSION = "v1";
const CIPHERTEXT_VERSION = "v2";

/** One AES-256-GCM key and its id: 8 base64url characters of a hash of the key, not the key. */
export interface RingKey {
  id: string;
  key: CryptoKey;
}

/**
 * The keys a Worker holds for secrets at rest: `current` (ENCRYPTION_KEY) seals and is tried
 * first; `previous` (ENCRYPTION_KEY_PREVIOUS, during a rotation) only opens.
 */
export interface KeyRing {
  current: RingKey;
  previous: RingKey | undefined;
}

/** Decoded key bytes (32, base64 or base64url), or an error saying what is wrong. */
function rawKey(secret: string | undefined, name: string): Uint8Array<ArrayBuffer> {
  let raw = new Uint8Array();
  try {
    raw = secret ? fromBase64Url(secret.trim()) : new Uint8Array();
  } catch {
    // atob refuses text that is not base64: reported below like a key of the wrong length.
  }
  if (raw.length !== 32) throw new Error(`${name} must be 32 bytes encoded as base64`);
  return raw;
}

/** Imports the Worker's AES-256-GCM key (32 bytes, base64 or base64url). */
export async function importEncryptionKey(secret: string | undefined): Promise<CryptoKey> {
  return (await importRingKey(secret)).key;
}

/** A key with its id; `name` is the secret's name, for the error. */
export async function importRingKey(
  secret: string | undefined,
  name = "ENCRYPTION_KEY",
): Promise<RingKey> {
  const raw = rawKey(secret, name);
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  return { id: await keyId(raw), key };
}

/**
 * The key's id in ciphertexts: 48 bits of SHA-256 over a label and the key. It names the key
 * cheaply (no trial decryption) and says nothing usable about it.
 */
async function keyId(raw: Uint8Array<ArrayBuffer>): Promise<string> {
  const label = utf8("gatehouse encryption key id\0");
  const input = new Uint8Array(label.length + raw.length);
  input.set(label);
  input.set(raw, label.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  return toBase64Url(digest.slice(0, 6));
}

/** The ring for ENCRYPTION_KEY and, when set, ENCRYPTION_KEY_PREVIOUS (dropped if the same key). */
export async function importKeyRing(
  current: string | undefined,
  previous?: string | undefined,
): Promise<KeyRing> {
  const now = await importRingKey(current, "ENCRYPTION_KEY");
  const before = previous?.trim()
    ? await importRingKey(previous, "ENCRYPTION_KEY_PREVIOUS")
    : undefined;
  return { current: now, previous: before && before.id !== now.id ? before : undefined };
}

/**
 * Encrypts a secret under the ring's current key. `context` is bound in as additional data
 * (for example "provider_key:pk_123"), so a ciphertext copied onto another row does not decrypt.
 */
export async function encryptSecret(
  ring: KeyRing,
  plaintext: string,
  context: string,
): Promise<string> {
  const iv = randomBytes(12);
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: utf8(context) },
    ring.current.key,
    utf8(plaintext),
  );
  return `${currentKeyPrefix(ring)}${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** How every ciphertext sealed under the ring's current key begins. */
export function currentKeyPrefix(ring: KeyRing): string {
  return `${CIPHERTEXT_VERSION}.${ring.current.id}.`;
}

/** Whether this ciphertext was sealed under the ring's current key (by its key id alone). */
export function sealedUnderCurrentKey(ring: KeyRing, ciphertext: string): boolean {
  return ciphertext.startsWith(currentKeyPrefix(ring));
}

/** The plaintext; throws when no key of the ring opens it (never saying anything of its value). */
export async function decryptSecret(
  ring: KeyRing,
  ciphertext: string,
  context: string,
): Promise<string> {
  return (await openSecret(ring, ciphertext, context)).plaintext;
}

/** The plaintext and the id of the key that opened it. */
export async function openSecret(
  ring: KeyRing,
  ciphertext: string,
  context: string,
): Promise<{ plaintext: string; keyId: string }> {
  const parts = ciphertext.split(".");
  if (parts[0] === CIPHERTEXT_VERSION && parts.length === 4) {
    const [, id, iv, sealed] = parts as [string, string, string, string];
    const key = [ring.current, ring.previous].find((k) => k?.id === id);
    if (!key) throw new Error(`sealed under a key this Worker does not hold (key id ${id})`);
    return { plaintext: await open(key.key, iv, sealed, context), keyId: key.id };
  }
  if (parts[0] === LEGACY_VERSION && parts.length === 3) {
    const [, iv, sealed] = parts as [string, string, string];
    try {
      return {
        plaintext: await open(ring.current.key, iv, sealed, context),
        keyId: ring.current.id,
      };
    } catch (error) {
      if (!ring.previous) throw error;
      const plaintext = await open(ring.previous.key, iv, sealed, context);
      return { plaintext, keyId: ring.previous.id };
    }
  }
  throw new Error("unrecognised ciphertext format");
}

async function open(key: CryptoKey, iv: string, sealed: string, context: string) {
  const opened = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: utf8(context) },
    key,
    fromBase64Url(sealed),
  );
  return new TextDecoder().decode(opened);
}

/** Hex SHA-256. Tokens carry ≥256 random bits, so an unsalted hash is a safe lookup key. */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(text))));
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = utf8(a);
  const y = utf8(b);
  let diff = x.length ^ y.length;
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** A secret token: prefix + base64url of `bytes` random bytes (32 bytes = 256 bits). */
export function randomToken(prefix: string, bytes = 32): string {
  return prefix + toBase64Url(randomBytes(bytes));
}

// workerd refuses PBKDF2 above 100,000 iterations; that ceiling is what we use.
export const PBKDF2_ITERATIONS = 100_000;

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS) {
  const salt = randomBytes(16);
  const hash = await pbkdf2(password, salt, iterations);
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split("$");
  if (scheme !== "pbkdf2-sha256" || !iterations || !salt || !hash) return false;
  const actual = await pbkdf2(password, fromBase64Url(salt), Number(iterations));
  return constantTimeEqual(toBase64Url(actual), hash);
}

async function pbkdf2(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  const material = await crypto.subtle.importKey("raw", utf8(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    256,
  );
  return new Uint8Array(bits);
}
