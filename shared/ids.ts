// Public identifiers: a readable type prefix and 128 random bits. Not secrets.
import { randomBytes } from "./encoding";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

export type IdPrefix =
  | "org"
  | "usr"
  | "ses"
  | "tok"
  | "pk"
  | "prx"
  | "vk"
  | "req"
  | "rol"
  | "team"
  | "inv"
  | "pwr"
  | "aud"
  | "mcs"
  | "mcg"
  | "mcc";

export function newId(prefix: IdPrefix): string {
  let out = `${prefix}_`;
  for (const b of randomBytes(20)) out += ALPHABET[b % 36];
  return out;
}
