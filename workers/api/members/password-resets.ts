// Password-reset links an admin generates and hands over (no mail server needed): `pwr_` + 256
// random bits, only the SHA-256 stored, valid 24 hours, single use, and a new link for a user
// retires their older unused ones. Using it sets the password, ends every session of the user
// and signs this browser in.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { passwordResets, users } from "../../../d1/schema";
import type { PasswordResetLink } from "../../../shared/api-types";
import { hashPassword, randomToken, sha256Hex } from "../../../shared/crypto";
import { newId } from "../../../shared/ids";
import { audit } from "../../audit/record";
import { db } from "../../db";
import { conflict, gone } from "../../errors";
import { publicOrigin } from "../../public-origin";
import { publicUser } from "../auth/routes";
import { startSession } from "../auth/start-session";
import { lookupRole } from "../role-store";
import { route } from "../route";
import { Password } from "../schemas";
import { LinkToken } from "./link-token";
import { checkMayActOn, findOrgUser } from "./target-user";

export const RESET_TOKEN_PREFIX = "pwr_";
export const RESET_TTL_MS = 24 * 60 * 60 * 1000;

type ResetRow = typeof passwordResets.$inferSelect;

/** Why a link cannot be used, in words its holder understands; null when it can. */
function refusal(reset: ResetRow | undefined, userActive: boolean, now: number): string | null {
  if (!reset) return "This password-reset link is not valid. Ask an admin for a new one.";
  if (reset.usedAt !== null) {
    return "This password-reset link has already been used (or a newer link replaced it). Ask an admin for a new one.";
  }
  if (reset.expiresAt <= now) {
    return "This password-reset link has expired. Ask an admin for a new one.";
  }
  if (!userActive) return "This account is deactivated, so its password cannot be reset.";
  return null;
}

async function findReset(env: Env, tokenHash: string) {
  const [found] = await db(env)
    .select({ reset: passwordResets, user: users })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenHash, tokenHash));
  return found;
}

export const passwordResetRoutes = [
  route({
    method: "post",
    path: "/users/:id/password-reset",
    summary:
      "Generate a single-use password-reset link for a user (valid 24 hours; shown once; older unused links stop working)",
    access: "member:update",
    async handler(c) {
      const caller = c.get("user");
      const target = await findOrgUser(c, c.req.param("id") ?? "");
      await checkMayActOn(c, target, "reset the password of");
      if (target.status !== "active") {
        throw conflict("This user is deactivated. Reactivate them first.");
      }
      const token = randomToken(RESET_TOKEN_PREFIX);
      const now = Date.now();
      const expiresAt = now + RESET_TTL_MS;
      await c.env.DB.batch([
        c.env.DB.prepare(
          "UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
        ).bind(now, target.id),
        c.env.DB.prepare(
          `INSERT INTO password_resets (id, org_id, user_id, token_hash, created_by, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).bind(
          newId("pwr"),
          target.orgId,
          target.id,
          await sha256Hex(token),
          caller.id,
          now,
          expiresAt,
        ),
      ]);
      const link: PasswordResetLink = {
        url: `${publicOrigin(c)}/reset-password/${token}`,
        expiresAt,
      };
      return c.json(link, 201, { "cache-control": "no-store" });
    },
  }),
  route({
    method: "post",
    path: "/password-resets/accept",
    summary: "Set a new password with a reset link's token; ends the user's sessions and signs in",
    access: "public",
    body: z.object({ token: LinkToken, password: Password }),
    async handler(c, { body }) {
      const now = Date.now();
      const tokenHash = await sha256Hex(body.token);
      const found = await findReset(c.env, tokenHash);
      const refuse = (message: string) => {
        audit(c, {
          action: "passwordReset.accept_refused",
          resourceType: "passwordReset",
          resourceId: found?.reset.id,
          status: 410,
          outcome: "denied",
          detail: message,
          actor: {
            userId: found?.user.id,
            email: found?.user.email,
            orgId: found?.user.orgId,
            via: "password_reset",
          },
        });
        return gone(message);
      };
      const early = refusal(found?.reset, found?.user.status === "active", now);
      if (!found || early) throw refuse(early ?? "");
      const { reset, user } = found;
      const passwordHash = await hashPassword(body.password);
      // Every statement is conditional on the link still being usable, and the batch runs as
      // one transaction: of two concurrent uses exactly one changes anything.
      const usable = `EXISTS (SELECT 1 FROM password_resets WHERE id = ? AND used_at IS NULL AND expires_at > ?)
        AND EXISTS (SELECT 1 FROM users WHERE id = ? AND status = 'active')`;
      const results = await c.env.DB.batch([
        c.env.DB.prepare(`DELETE FROM sessions WHERE user_id = ? AND ${usable}`).bind(
          user.id,
          reset.id,
          now,
          user.id,
        ),
        c.env.DB.prepare(`UPDATE users SET password_hash = ? WHERE id = ? AND ${usable}`).bind(
          passwordHash,
          user.id,
          reset.id,
          now,
          user.id,
        ),
        c.env.DB.prepare(`UPDATE password_resets SET used_at = ? WHERE id = ? AND ${usable}`).bind(
          now,
          reset.id,
          reset.id,
          now,
          user.id,
        ),
      ]);
      if ((results[2]?.meta.changes ?? 0) === 0) {
        // Used by a concurrent request, or the account was deactivated meanwhile.
        const after = await findReset(c.env, tokenHash);
        throw refuse(
          refusal(after?.reset, after?.user.status === "active", now) ??
            "This password-reset link has already been used.",
        );
      }
      audit(c, {
        action: "passwordReset.accept",
        resourceType: "passwordReset",
        resourceId: reset.id,
        status: 200,
        outcome: "success",
        actor: { userId: user.id, email: user.email, orgId: user.orgId, via: "password_reset" },
      });
      await startSession(c, user.id);
      const permissions = (await lookupRole(c.env, user.orgId, user.role)) ?? new Set();
      return c.json({ user: publicUser({ ...user, permissions }) });
    },
  }),
];
