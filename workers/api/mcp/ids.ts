// Ids for MCP servers and gateways, shaped like shared/ids.ts's (a readable prefix and 20 of
// [0-9a-z]). Kept here until shared/ids.ts's IdPrefix gains "mcs" and "mcg".
import { randomBytes } from "../../../shared/encoding";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

export function newMcpId(prefix: "mcs" | "mcg"): string {
  let out = `${prefix}_`;
  for (const b of randomBytes(20)) out += ALPHABET[b % 36];
  return out;
}
