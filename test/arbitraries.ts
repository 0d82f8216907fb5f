// fast-check arbitraries shared by the property tests: byte streams cut into chunks the way a
// network might deliver them, and text that exercises every UTF-8 sequence length.
import fc from "fast-check";

const encoder = new TextEncoder();

/** Cuts `bytes` at arbitrary points (empty chunks included, as a reader may deliver them). */
export function chunksOf(bytes: Uint8Array, maxCuts = 24): fc.Arbitrary<Uint8Array[]> {
  return fc
    .array(fc.integer({ min: 0, max: bytes.length }), { maxLength: maxCuts })
    .map((cuts) => cut(bytes, cuts));
}

export function cut(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const sorted = [...cuts].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const at of sorted) {
    chunks.push(bytes.subarray(from, at));
    from = at;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** One chunk per byte: every boundary, inside every UTF-8 sequence and every CRLF, at once. */
export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
}

export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/**
 * A character of a line: ASCII, and 2-, 3- and 4-byte UTF-8 sequences, never a line break.
 * U+FEFF is left out: at the very start of a stream the decoder drops it as a BOM.
 */
export const lineChar: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("a", "Z", "0", " ", ":", "{", '"', "é", "€", "日", "🎉", "𝄞"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((c) => !/[\r\n\uFEFF]/.test(c)),
);

export const lineText = (maxLength = 24): fc.Arbitrary<string> =>
  fc.string({ unit: lineChar, maxLength });
