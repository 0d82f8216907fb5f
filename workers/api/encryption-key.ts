// POST /api/encryption-key/re-encrypt: after ENCRYPTION_KEY was rotated (the old key kept as
// ENCRYPTION_KEY_PREVIOUS), seals every stored secret of the caller's organisation under the
// current key, in bounded batches, so the previous key can be removed. Each call handles at
// most BATCH secrets and answers counts per kind, the secrets that opened under neither key (by
// kind and id, never a value; they are left as they are) and a cursor while more remain.
// Idempotent: a secret already under the current key (its key id says so) is not touched, and
// a row changed meanwhile is not overwritten (the update is conditional on the old ciphertext).
// Only admins hold organisation:update among the built-in roles.
import { z } from "zod";
import { currentKeyPrefix, encryptSecret, type KeyRing, openSecret } from "../../shared/crypto";
import { config } from "../config";
import { conflict } from "../errors";
import { mcpServerContext } from "../mcp/upstream-auth";
import { exporterContext } from "../observability/exporter-config";
import { providerKeyContext, virtualKeyContext } from "../proxy/lookups";
import { route } from "./route";

/** Secrets examined per call: a few D1 statements and at most this many writes. */
export const RE_ENCRYPT_BATCH = 50;

/** Every column that holds a ciphertext under ENCRYPTION_KEY, with the data bound into it. */
const SECRET_KINDS = [
  {
    kind: "providerKey",
    table: "provider_keys",
    id: "id",
    column: "secret_ciphertext",
    context: providerKeyContext,
  },
  {
    kind: "virtualKey",
    table: "virtual_keys",
    id: "id",
    column: "token_ciphertext",
    context: virtualKeyContext,
  },
  {
    kind: "mcpServer",
    table: "mcp_servers",
    id: "id",
    column: "auth_ciphertext",
    context: mcpServerContext,
  },
  {
    kind: "ssoClientSecret",
    table: "sso_settings",
    id: "org_id",
    column: "oidc_client_secret",
    context: (orgId: string) => orgId,
  },
  {
    kind: "telemetryExporter",
    table: "telemetry_exporters",
    id: "org_id",
    column: "headers_ciphertext",
    context: exporterContext,
  },
] as const;

export type SecretKind = (typeof SECRET_KINDS)[number]["kind"];
type KindSpec = (typeof SECRET_KINDS)[number];
const KIND_NAMES = SECRET_KINDS.map((k) => k.kind);

export interface ReEncryptAnswer {
  organisationId: string;
  /** Which rows this call covers: the caller's organisation only. */
  scope: string;
  /** The id of ENCRYPTION_KEY, as ciphertexts sealed under it name it. */
  keyId: string;
  /** The id of ENCRYPTION_KEY_PREVIOUS, or null when the Worker has none. */
  previousKeyId: string | null;
  /** Secrets sealed again under the current key by this call, per kind. */
  reEncrypted: Record<SecretKind, number>;
  /** Secrets that opened under neither key; left as they are. */
  failed: { kind: SecretKind; id: string }[];
  /** Whether this pass has more secrets to look at: call again with `cursor`. */
  more: boolean;
  cursor: string | null;
  /** Secrets of this organisation still not under the current key (failed ones included). */
  remaining: Record<SecretKind, number>;
}

const Cursor = z
  .string()
  .max(300, "at most 300 characters")
  .refine((v) => KIND_NAMES.some((k) => v.startsWith(`${k}:`)), {
    message: "the cursor a previous answer gave",
  });

const ReEncryptInput = z.object({
  /** From the previous answer, to go on where it stopped. */
  cursor: Cursor.optional(),
  /** The key id the caller expects the Worker to use; a 409 when it does not (yet). */
  keyId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8}$/, "8 base64url characters, as the rotate-key command computes")
    .optional(),
});

const SCOPE =
  "This organisation's secrets only. A deployment with several organisations needs an admin " +
  "of each to run this before ENCRYPTION_KEY_PREVIOUS is removed.";

interface Row {
  id: string;
  ciphertext: string;
}

const zeroes = () =>
  Object.fromEntries(KIND_NAMES.map((k) => [k, 0])) as Record<SecretKind, number>;

/** Rows of one kind not sealed under the current key, after `afterId`, in id order. */
async function pendingRows(
  d1: D1Database,
  spec: KindSpec,
  orgId: string,
  prefix: string,
  afterId: string,
  limit: number,
): Promise<Row[]> {
  const sql =
    `SELECT ${spec.id} AS id, ${spec.column} AS ciphertext FROM ${spec.table} ` +
    `WHERE org_id = ?1 AND ${spec.column} IS NOT NULL AND substr(${spec.column}, 1, ?2) <> ?3 ` +
    `AND ${spec.id} > ?4 ORDER BY ${spec.id} LIMIT ?5`;
  const { results } = await d1
    .prepare(sql)
    .bind(orgId, prefix.length, prefix, afterId, limit)
    .all<Row>();
  return results;
}

function remainingStatement(d1: D1Database, spec: KindSpec, orgId: string, prefix: string) {
  return d1
    .prepare(
      `SELECT count(*) AS n FROM ${spec.table} WHERE org_id = ?1 AND ${spec.column} IS NOT NULL ` +
        `AND substr(${spec.column}, 1, ?2) <> ?3`,
    )
    .bind(orgId, prefix.length, prefix);
}

/** One batch of the organisation's secrets, from `cursor` on. */
export async function reEncryptBatch(
  env: Env,
  ring: KeyRing,
  orgId: string,
  cursor: string | undefined,
): Promise<Omit<ReEncryptAnswer, "organisationId" | "scope" | "keyId" | "previousKeyId">> {
  const d1 = env.DB;
  const prefix = currentKeyPrefix(ring);
  const reEncrypted = zeroes();
  const failed: ReEncryptAnswer["failed"] = [];
  const colon = cursor?.indexOf(":") ?? -1;
  const startKind = cursor ? KIND_NAMES.indexOf(cursor.slice(0, colon) as SecretKind) : 0;
  let budget = RE_ENCRYPT_BATCH;
  let next: string | null = null;
  for (const spec of SECRET_KINDS.slice(startKind)) {
    const afterId = cursor && spec.kind === KIND_NAMES[startKind] ? cursor.slice(colon + 1) : "";
    const rows = await pendingRows(d1, spec, orgId, prefix, afterId, budget);
    const updates: { statement: D1PreparedStatement; kind: SecretKind }[] = [];
    for (const row of rows) {
      const context = spec.context(row.id);
      try {
        const { plaintext } = await openSecret(ring, row.ciphertext, context);
        const sealed = await encryptSecret(ring, plaintext, context);
        const statement = d1
          .prepare(
            `UPDATE ${spec.table} SET ${spec.column} = ?1 WHERE ${spec.id} = ?2 AND ${spec.column} = ?3`,
          )
          .bind(sealed, row.id, row.ciphertext);
        updates.push({ statement, kind: spec.kind });
      } catch {
        failed.push({ kind: spec.kind, id: row.id });
      }
    }
    if (updates.length > 0) {
      const results = await d1.batch(updates.map((u) => u.statement));
      for (const [i, result] of results.entries()) {
        const kind = updates[i]?.kind;
        if (kind && result.meta.changes > 0) reEncrypted[kind] += 1;
      }
    }
    budget -= rows.length;
    const last = rows.at(-1);
    if (budget <= 0 && last) {
      next = `${spec.kind}:${last.id}`;
      break;
    }
  }
  const counts = await d1.batch(
    SECRET_KINDS.map((spec) => remainingStatement(d1, spec, orgId, prefix)),
  );
  const remaining = zeroes();
  for (const [i, spec] of SECRET_KINDS.entries()) {
    const n = (counts[i]?.results[0] as { n?: number } | undefined)?.n;
    remaining[spec.kind] = typeof n === "number" ? n : 0;
  }
  return { reEncrypted, failed, more: next !== null, cursor: next, remaining };
}

export const encryptionKeyRoutes = [
  route({
    method: "post",
    path: "/encryption-key/re-encrypt",
    summary:
      "After rotating ENCRYPTION_KEY (the old key kept as ENCRYPTION_KEY_PREVIOUS): seal this organisation's stored secrets under the current key, at most 50 a call. Answers counts per kind, the secrets that opened under neither key (kind and id, never a value; left as they are), what remains, and a cursor to go on while `more` is true. Safe to run again; with `keyId`, a 409 while the Worker still uses another key",
    access: "organisation:update",
    body: ReEncryptInput,
    audit: { resource: "encryptionKey", action: "reEncrypt" },
    async handler(c, { body }) {
      const ring = await config(c.env).encryptionKey;
      if (body.keyId && body.keyId !== ring.current.id) {
        throw conflict(
          `This Worker's ENCRYPTION_KEY has key id ${ring.current.id}, not ${body.keyId}: ` +
            "the new key is not live here yet (or another key was set). Nothing was changed.",
        );
      }
      const orgId = c.get("user").orgId;
      const batch = await reEncryptBatch(c.env, ring, orgId, body.cursor);
      const answer: ReEncryptAnswer = {
        organisationId: orgId,
        scope: SCOPE,
        keyId: ring.current.id,
        previousKeyId: ring.previous?.id ?? null,
        ...batch,
      };
      return c.json(answer);
    },
  }),
];
