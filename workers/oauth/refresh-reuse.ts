// Refresh-token reuse detection, the storage part: wraps the library's refresh-token grant at
// /token. Before the library sees a refresh token, its grant's record (the library's documented
// KV schema: `grant:<userId>:<grantId>` with the current and previous refresh-token hashes) and
// Gatehouse's ledger for the grant are read and judged (refresh-ledger.ts). A replay revokes
// the grant with all its tokens and is audited with ids only; anything else goes on to the
// library, and the refresh token it issues is recorded as the presented one's successor.
//
// The ledger lives beside the grant in OAUTH_KV, under its own prefix, and has KV's consistency,
// as the library's grants do: two refreshes racing from two locations may both be judged on
// the same state. The use is recorded before the library is called, to keep that window short.
import type { OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { users } from "../../d1/schema";
import { sha256Hex } from "../../shared/crypto";
import type { AppEnv } from "../app-env";
import { audit } from "../audit/record";
import { db } from "../db";
import {
  type GrantRef,
  grantOfCredential,
  invalidGrant,
  NOT_ISSUED_HERE,
} from "./grant-credential";
import { McpGrantMetadataSchema } from "./grant-props";
import {
  EMPTY_LEDGER,
  judgeRefresh,
  REUSE_REASONS,
  type RefreshLedger,
  RefreshLedgerSchema,
  type ReuseReason,
  recordIssued,
  recordUse,
} from "./refresh-ledger";

const LEDGER_PREFIX = "refresh-ledger:";
/** Renewed on every refresh; a grant idle longer has its previous token judged "long ago". */
const LEDGER_TTL_SECONDS = 90 * 24 * 60 * 60;

/** The part of the library's grant record the judgement reads. */
const GrantRecordSchema = z.object({
  clientId: z.string(),
  refreshTokenId: z.string().optional(),
  previousRefreshTokenId: z.string().optional(),
  metadata: McpGrantMetadataSchema.nullable().catch(null),
});

type GrantRecord = z.infer<typeof GrantRecordSchema>;

const ledgerKey = (g: GrantRef) => `${LEDGER_PREFIX}${g.userId}:${g.grantId}`;

async function loadLedger(kv: KVNamespace, g: GrantRef): Promise<RefreshLedger> {
  const parsed = RefreshLedgerSchema.safeParse(await kv.get(ledgerKey(g), "json"));
  return parsed.success ? parsed.data : EMPTY_LEDGER;
}

function saveLedger(kv: KVNamespace, g: GrantRef, ledger: RefreshLedger): Promise<void> {
  return kv.put(ledgerKey(g), JSON.stringify(ledger), { expirationTtl: LEDGER_TTL_SECONDS });
}

const TokenAnswerSchema = z.object({ refresh_token: z.string().optional() });

/** The refresh token in a successful token answer, if any. */
function issuedRefreshToken(body: string): string | undefined {
  try {
    const parsed = TokenAnswerSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.refresh_token : undefined;
  } catch {
    return undefined;
  }
}

async function auditReuse(
  c: Context<AppEnv>,
  g: GrantRef,
  grant: GrantRecord,
  reason: ReuseReason,
): Promise<void> {
  const [user] = await db(c.env)
    .select({ orgId: users.orgId })
    .from(users)
    .where(eq(users.id, g.userId));
  audit(c, {
    action: "oauthConnection.refresh_reuse",
    resourceType: "oauthConnection",
    resourceId: g.grantId,
    status: 400,
    outcome: "denied",
    actor: { userId: g.userId, ...(user ? { orgId: user.orgId } : {}), via: "oauth" },
    detail: `Refresh-token reuse: ${REUSE_REASONS[reason]}; the grant and all its tokens were revoked.`,
    after: {
      grantId: g.grantId,
      userId: g.userId,
      clientId: grant.clientId,
      clientName: grant.metadata?.clientName ?? null,
      gateway: grant.metadata?.gatewaySlug ?? null,
      reason,
      revoked: true,
    },
  });
}

/**
 * A refresh-token grant with reuse detection. `forward` hands the untouched request to the
 * library; `helpers` gives the library's API (to revoke a grant).
 */
export async function refreshWithReuseDetection(
  c: Context<AppEnv>,
  refreshToken: string,
  helpers: () => Promise<OAuthHelpers>,
  forward: () => Promise<Response>,
): Promise<Response> {
  const g = grantOfCredential(refreshToken);
  if (!g) return invalidGrant(NOT_ISSUED_HERE);
  const kv = c.env.OAUTH_KV;
  const grant = GrantRecordSchema.safeParse(await kv.get(`grant:${g.userId}:${g.grantId}`, "json"));
  if (!grant.success) return forward();
  const presented = await sha256Hex(refreshToken);
  const now = Date.now();
  const ledger = await loadLedger(kv, g);
  const verdict = judgeRefresh(
    presented,
    { current: grant.data.refreshTokenId, previous: grant.data.previousRefreshTokenId },
    ledger,
    now,
  );
  if (verdict.kind === "unknown") return forward();
  if (verdict.kind === "replay") {
    await (await helpers()).revokeGrant(g.grantId, g.userId);
    await kv.delete(ledgerKey(g));
    await auditReuse(c, g, grant.data, verdict.reason);
    return invalidGrant(
      "This refresh token was already used. The authorization has been revoked for safety: connect the app again.",
    );
  }
  await saveLedger(kv, g, recordUse(ledger, presented, now));
  const res = await forward();
  if (res.status !== 200) return res;
  const body = await res.text();
  const issued = issuedRefreshToken(body);
  if (issued) {
    // Read again: another refresh of this grant may have written meanwhile.
    const latest = recordUse(await loadLedger(kv, g), presented, now);
    await saveLedger(kv, g, recordIssued(latest, presented, await sha256Hex(issued)));
  }
  return new Response(body, res);
}
