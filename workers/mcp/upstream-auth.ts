// How the gateway authenticates to an upstream MCP server: the admin's input (validated here),
// its sealed form in mcp_servers (one AES-GCM ciphertext bound to the row id, plus a hint the
// dashboard may show), and the headers sent upstream. The MCP endpoint asks for the headers on
// every request, so the decrypted form is cached per isolate, keyed by the row's updatedAt:
// any change to the row is a new key, so a stale credential is never sent.
import { z } from "zod";
import type { McpServer } from "../../d1/schema";
import type { McpServerAuthView } from "../../shared/api-types";
import { decryptSecret, encryptSecret } from "../../shared/crypto";
import { TtlCache } from "../../shared/ttl-cache";
import { config } from "../config";

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers the gateway itself owns on the upstream connection; an admin may not set them. */
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "accept",
  "connection",
  "transfer-encoding",
  "mcp-session-id",
  "mcp-protocol-version",
  "last-event-id",
]);

const HeaderName = z
  .string()
  .min(1)
  .max(128)
  .regex(HEADER_NAME, "a header name is letters, digits and !#$%&'*+.^_`|~-")
  .refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()), {
    message: "this header is set by the gateway itself",
  });

// Values are never echoed in error messages: they are secrets.
const HeaderValue = z
  .string()
  .min(1, "a header value may not be empty")
  .max(4096)
  .refine((v) => !/[\r\n\0]/.test(v), { message: "a header value may not contain line breaks" });

export const UpstreamAuthInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({
    kind: z.literal("bearer"),
    token: z
      .string()
      .min(1)
      .max(4096)
      .refine((v) => !/[\s\0]/.test(v), { message: "a bearer token may not contain spaces" }),
  }),
  z.object({
    kind: z.literal("headers"),
    headers: z
      .record(HeaderName, HeaderValue)
      .refine((h) => Object.keys(h).length >= 1 && Object.keys(h).length <= 20, {
        message: "give between 1 and 20 headers",
      })
      .refine(
        (h) => new Set(Object.keys(h).map((k) => k.toLowerCase())).size === Object.keys(h).length,
        { message: "a header is given twice (names ignore case)" },
      ),
  }),
]);
export type UpstreamAuthInput = z.output<typeof UpstreamAuthInput>;

/** The plaintext inside auth_ciphertext. */
const SealedAuth = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("bearer"), token: z.string() }),
  z.object({ kind: z.literal("headers"), headers: z.record(z.string(), z.string()) }),
]);

export interface SealedUpstreamAuth {
  authKind: McpServer["authKind"];
  authCiphertext: string | null;
  authHint: string | null;
}

/** Additional data bound into a server's credential ciphertext. */
export const mcpServerContext = (serverId: string) => `mcp_server:${serverId}`;

/** The columns to store for this credential on server `serverId`. */
export async function sealUpstreamAuth(
  env: Env,
  serverId: string,
  input: UpstreamAuthInput,
): Promise<SealedUpstreamAuth> {
  if (input.kind === "none") return { authKind: "none", authCiphertext: null, authHint: null };
  const key = await config(env).encryptionKey;
  const authCiphertext = await encryptSecret(
    key,
    JSON.stringify(input),
    mcpServerContext(serverId),
  );
  const authHint =
    input.kind === "bearer" ? input.token.slice(-4) : JSON.stringify(Object.keys(input.headers));
  return { authKind: input.kind, authCiphertext, authHint };
}

const HeaderNames = z.array(z.string());

/** What the dashboard may see of a server's credential. */
export function authView(row: Pick<McpServer, "authKind" | "authHint">): McpServerAuthView {
  if (row.authKind === "bearer") return { kind: "bearer", last4: row.authHint ?? "" };
  if (row.authKind === "headers") {
    let names: unknown;
    try {
      names = JSON.parse(row.authHint ?? "[]");
    } catch {
      names = [];
    }
    const parsed = HeaderNames.safeParse(names);
    return { kind: "headers", headerNames: parsed.success ? parsed.data : [] };
  }
  return { kind: "none" };
}

// Ten minutes bounds how long a deleted server's secret lingers in memory; a changed one is a
// different key at once.
const decrypted = new TtlCache<Readonly<Record<string, string>>>(10 * 60_000, 1_000);

/** The headers that authenticate the gateway to this upstream (empty for "none"). */
export async function upstreamHeaders(
  env: Env,
  row: Pick<McpServer, "id" | "updatedAt" | "authKind" | "authCiphertext">,
): Promise<Record<string, string>> {
  if (row.authKind === "none" || !row.authCiphertext) return {};
  const ciphertext = row.authCiphertext;
  const headers = await decrypted.getOrLoad(`${row.id}:${row.updatedAt}`, async () => {
    const key = await config(env).encryptionKey;
    const plain = await decryptSecret(key, ciphertext, mcpServerContext(row.id));
    const sealed = SealedAuth.parse(JSON.parse(plain));
    return sealed.kind === "bearer"
      ? { authorization: `Bearer ${sealed.token}` }
      : { ...sealed.headers };
  });
  return { ...headers };
}
