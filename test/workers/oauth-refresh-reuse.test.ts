// Refresh-token reuse detection (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2): a rotated refresh token
// presented again after its successor was used, or after the short grace for a lost answer, is
// refused and the whole grant is revoked (the legitimate client's tokens too, since the server
// cannot tell which party is which); the event lands in the audit log with ids, never a token.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { REFRESH_RETRY_GRACE_MS } from "../../workers/oauth/refresh-ledger";
import { rows } from "./api-helpers";
import { type Admin, admin } from "./helpers";
import {
  type Connection,
  connectClient,
  createGateway,
  mcpInitialize,
  oauthError,
  refreshRequest,
  type TokenSet,
} from "./oauth-helpers";

const SLUG = "reuse";
let a: Admin;

beforeAll(async () => {
  a = await admin();
  await createGateway(a, SLUG);
});

afterEach(() => {
  vi.useRealTimers();
});

async function refreshed(conn: Connection, token: string | undefined): Promise<TokenSet> {
  const res = await refreshRequest(conn, SLUG, token ?? "");
  expect(res.status, await res.clone().text()).toBe(200);
  const tokens = (await res.json()) as TokenSet;
  expect(tokens.refresh_token).toBeTruthy();
  return tokens;
}

async function expectReplayRefused(conn: Connection, token: string | undefined) {
  expect(await oauthError(await refreshRequest(conn, SLUG, token ?? ""))).toBe("invalid_grant");
}

/** Every token of the grant is dead: refresh refused, access tokens refused by the gateway. */
async function expectGrantRevoked(conn: Connection, live: TokenSet) {
  expect(await oauthError(await refreshRequest(conn, SLUG, live.refresh_token ?? ""))).toBe(
    "invalid_grant",
  );
  expect((await mcpInitialize(SLUG, live.access_token)).status).toBe(401);
  expect((await mcpInitialize(SLUG, conn.tokens.access_token)).status).toBe(401);
}

/** userId and grantId, the public parts of a `<userId>:<grantId>:<secret>` token. */
function idsOf(token: string | undefined): { userId: string; grantId: string; secret: string } {
  const [userId = "", grantId = "", secret = ""] = (token ?? "").split(":");
  return { userId, grantId, secret };
}

describe("refresh-token reuse", () => {
  it("refuses a rotated token once its successor was used, and revokes the whole grant", async () => {
    const conn = await connectClient(SLUG);
    const second = await refreshed(conn, conn.tokens.refresh_token);
    const third = await refreshed(conn, second.refresh_token);
    expect((await mcpInitialize(SLUG, third.access_token)).status).toBe(200);
    // Seconds later, well within the grace: a successor was used, so this is a replay.
    await expectReplayRefused(conn, conn.tokens.refresh_token);
    await expectGrantRevoked(conn, third);
  });

  it("refuses the previous token after the grace, even if its successor was never used", async () => {
    const conn = await connectClient(SLUG);
    const second = await refreshed(conn, conn.tokens.refresh_token);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + REFRESH_RETRY_GRACE_MS + 1_000 });
    await expectReplayRefused(conn, conn.tokens.refresh_token);
    // Before, this replay answered fresh tokens every time, and the real client's R2 died.
    await expectGrantRevoked(conn, second);
  });

  it("lets a client whose answer was lost retry within the grace, and revokes when the lost successor turns up", async () => {
    const conn = await connectClient(SLUG);
    const lost = await refreshed(conn, conn.tokens.refresh_token);
    const retried = await refreshed(conn, conn.tokens.refresh_token);
    expect(retried.refresh_token).not.toBe(lost.refresh_token);
    const next = await refreshed(conn, retried.refresh_token);
    expect((await mcpInitialize(SLUG, next.access_token)).status).toBe(200);
    // The answer the client never received is used by someone: two parties hold the grant.
    await expectReplayRefused(conn, lost.refresh_token);
    await expectGrantRevoked(conn, next);
  });

  it("counts the grace from the token's first use: retries do not extend it", async () => {
    const conn = await connectClient(SLUG);
    const start = Date.now();
    await refreshed(conn, conn.tokens.refresh_token);
    vi.useFakeTimers({ toFake: ["Date"], now: start + REFRESH_RETRY_GRACE_MS * 0.75 });
    const retried = await refreshed(conn, conn.tokens.refresh_token);
    vi.setSystemTime(start + REFRESH_RETRY_GRACE_MS * 1.5);
    await expectReplayRefused(conn, conn.tokens.refresh_token);
    await expectGrantRevoked(conn, retried);
  });

  it("refuses a token it never issued without revoking the grant", async () => {
    const conn = await connectClient(SLUG);
    const { userId, grantId } = idsOf(conn.tokens.refresh_token);
    await expectReplayRefused(conn, `${userId}:${grantId}:not-a-token-we-issued`);
    const next = await refreshed(conn, conn.tokens.refresh_token);
    expect((await mcpInitialize(SLUG, next.access_token)).status).toBe(200);
  });

  it("records the reuse in the audit log with the grant, client and user, never a token", async () => {
    const conn = await connectClient(SLUG, { clientName: "Audit Reuse Client" });
    const second = await refreshed(conn, conn.tokens.refresh_token);
    const third = await refreshed(conn, second.refresh_token);
    await expectReplayRefused(conn, conn.tokens.refresh_token);
    const { userId, grantId } = idsOf(conn.tokens.refresh_token);
    const entry = await vi.waitFor(async () => {
      const [row] = await rows<Record<string, string | number | null>>(
        "SELECT * FROM audit_log WHERE action = ? AND resource_id = ?",
        "oauthConnection.refresh_reuse",
        grantId,
      );
      if (!row) throw new Error("no refresh_reuse audit entry yet");
      return row;
    });
    expect(entry).toMatchObject({
      org_id: a.orgId,
      actor_user_id: userId,
      resource_type: "oauthConnection",
      status: 400,
      outcome: "denied",
    });
    expect(JSON.parse(String(entry.after))).toMatchObject({
      grantId,
      userId,
      clientId: conn.client.client_id,
      clientName: "Audit Reuse Client",
      gateway: SLUG,
      revoked: true,
    });
    const text = JSON.stringify(entry);
    for (const token of [conn.tokens, second, third].flatMap((t) => [
      t.access_token,
      t.refresh_token,
    ])) {
      expect(text).not.toContain(idsOf(token).secret);
    }
  });
});
