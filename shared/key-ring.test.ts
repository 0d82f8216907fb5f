// The key ring for secrets at rest (shared/crypto.ts): what a ciphertext says of its key, which
// key opens it, the order keys are tried in for ciphertexts from before key ids, and the
// configuration it refuses.
import { describe, expect, it } from "vitest";
import {
  decryptSecret,
  encryptSecret,
  importKeyRing,
  openSecret,
  sealedUnderCurrentKey,
} from "./crypto";
import { randomBytes, toBase64Url, utf8 } from "./encoding";

const newKey = () => btoa(String.fromCharCode(...randomBytes(32)));
const A = newKey();
const B = newKey();

/** A ciphertext in the format from before key ids ("v1.<iv>.<sealed>"). */
async function legacySeal(keyBase64: string, plaintext: string, context: string) {
  const raw = Uint8Array.from(atob(keyBase64), (ch) => ch.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);
  const iv = randomBytes(12);
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: utf8(context) },
    key,
    utf8(plaintext),
  );
  return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

describe("key ids", () => {
  it("are 8 base64url characters, the same for the same key and different between keys", async () => {
    const a1 = await importKeyRing(A);
    const a2 = await importKeyRing(` ${A}\n`);
    const b = await importKeyRing(B);
    expect(a1.current.id).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(a2.current.id).toBe(a1.current.id);
    expect(b.current.id).not.toBe(a1.current.id);
    expect(A).not.toContain(a1.current.id);
  });

  it("name the sealing key in every new ciphertext", async () => {
    const ring = await importKeyRing(B, A);
    const sealed = await encryptSecret(ring, "s3cret", "provider_key:pk_1");
    expect(sealed.startsWith(`v2.${ring.current.id}.`)).toBe(true);
    expect(sealedUnderCurrentKey(ring, sealed)).toBe(true);
    const underA = await encryptSecret(await importKeyRing(A), "s3cret", "provider_key:pk_1");
    expect(sealedUnderCurrentKey(ring, underA)).toBe(false);
  });
});

describe("decrypting", () => {
  it("opens a ciphertext of the previous key by its id, and says which key opened it", async () => {
    const ringA = await importKeyRing(A);
    const sealed = await encryptSecret(ringA, "s3cret", "ctx");
    const ring = await importKeyRing(B, A);
    expect(await openSecret(ring, sealed, "ctx")).toEqual({
      plaintext: "s3cret",
      keyId: ringA.current.id,
    });
    await expect(decryptSecret(await importKeyRing(B), sealed, "ctx")).rejects.toThrow(
      /does not hold/,
    );
  });

  it("uses the key the id names, not whichever opens it", async () => {
    const ringA = await importKeyRing(A);
    const ringB = await importKeyRing(B);
    const sealed = await encryptSecret(ringA, "s3cret", "ctx");
    // The same ciphertext claiming to be B's: B is tried (and fails), A is not.
    const relabelled = sealed.replace(`v2.${ringA.current.id}.`, `v2.${ringB.current.id}.`);
    await expect(decryptSecret(await importKeyRing(B, A), relabelled, "ctx")).rejects.toThrow();
  });

  it("tries the current key, then the previous one, for ciphertexts without a key id", async () => {
    const underA = await legacySeal(A, "old s3cret", "ctx");
    const underB = await legacySeal(B, "new s3cret", "ctx");
    const ring = await importKeyRing(B, A);
    expect(await openSecret(ring, underA, "ctx")).toEqual({
      plaintext: "old s3cret",
      keyId: ring.previous?.id,
    });
    expect(await openSecret(ring, underB, "ctx")).toEqual({
      plaintext: "new s3cret",
      keyId: ring.current.id,
    });
    expect(await decryptSecret(await importKeyRing(A), underA, "ctx")).toBe("old s3cret");
    await expect(decryptSecret(await importKeyRing(B), underA, "ctx")).rejects.toThrow();
  });

  it("keeps a ciphertext bound to its context under either key", async () => {
    const ring = await importKeyRing(B, A);
    const sealed = await encryptSecret(await importKeyRing(A), "s3cret", "provider_key:pk_1");
    await expect(decryptSecret(ring, sealed, "provider_key:pk_2")).rejects.toThrow();
    const legacy = await legacySeal(A, "s3cret", "provider_key:pk_1");
    await expect(decryptSecret(ring, legacy, "provider_key:pk_2")).rejects.toThrow();
  });

  it("refuses what is not a ciphertext", async () => {
    const ring = await importKeyRing(A);
    for (const text of ["", "v1.only-two", "v3.a.b.c", "plain text"]) {
      await expect(decryptSecret(ring, text, "ctx"), text).rejects.toThrow(/format/);
    }
  });
});

describe("the ring's configuration", () => {
  it("has no previous key when none is set or it is the current one", async () => {
    expect((await importKeyRing(A)).previous).toBeUndefined();
    expect((await importKeyRing(A, "")).previous).toBeUndefined();
    expect((await importKeyRing(A, A)).previous).toBeUndefined();
    expect((await importKeyRing(A, B)).previous?.id).toBe((await importKeyRing(B)).current.id);
  });

  it("names the secret that is not 32 bytes of base64", async () => {
    await expect(importKeyRing(undefined)).rejects.toThrow(/^ENCRYPTION_KEY must be 32 bytes/);
    await expect(importKeyRing("c2hvcnQ=")).rejects.toThrow(/^ENCRYPTION_KEY must/);
    await expect(importKeyRing(A, "c2hvcnQ=")).rejects.toThrow(/ENCRYPTION_KEY_PREVIOUS must/);
    await expect(importKeyRing(A, "not base64 at all!")).rejects.toThrow(
      /ENCRYPTION_KEY_PREVIOUS must/,
    );
  });
});
