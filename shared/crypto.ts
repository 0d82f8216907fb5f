// Secrets at rest, token hashing and password hashing, all through WebCrypto.
import { fromBase64Url, randomBytes, toBase64Url, toHex, utf8 } from "./encoding";

const CIPHERTEXT_VERSION = "v1";

/** Imports the Worker's AES-256-GCM key (32 bytes, base64 or base64url). */
export async function importEncryptionKey(secret: string | undefined): Promise<CryptoKey> {
  const raw = secret ? fromBase64Url(secret.trim()) : new Uint8Array();
  if (raw.length !== 32) {
    throw new Error("ENCRYPTION_KEY must be 32 bytes encoded as base64");
  }
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/**
 * Encrypts a secret. `context` is bound in as additional data (for example
 * "provider_key:pk_123"), so a ciphertext copied onto another row does not decrypt.
 */
export async function encryptSecret(
  key: CryptoKey,
  plaintext: string,
  context: string,
): Promise<string> {
  const iv = randomBytes(12);
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: utf8(context) },
    key,
    utf8(plaintext),
  );
  return `${CIPHERTEXT_VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

export async function decryptSecret(
  key: CryptoKey,
  ciphertext: string,
  context: string,
): Promise<string> {
  const [version, iv, sealed] = ciphertext.split(".");
  if (version !== CIPHERTEXT_VERSION || !iv || !sealed) {
    throw new Error("unrecognised ciphertext format");
  }
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
