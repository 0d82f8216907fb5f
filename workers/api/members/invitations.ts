// Invitations: an admin makes a link (no mail server needed: they copy it), the invitee opens
// it, sets a name and password, and is signed in with the role and teams the admin chose. The
// token is `inv_` + 256 random bits; only its SHA-256 is stored and the link is shown once.
// Accepting marks the invitation with the new user's id in the same batch that creates the
// user, conditional on it still being unused, unrevoked and unexpired, so a reused or
// concurrently replayed link never makes a second account.
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { type Invitation, invitations, organisations, roles, users } from "../../../d1/schema";
import type {
  CreatedInvitation,
  InvitationLookup,
  InvitationStatus,
  InvitationView,
} from "../../../shared/api-types";
import { hashPassword, randomToken, sha256Hex } from "../../../shared/crypto";
import { newId } from "../../../shared/ids";
import type { AppEnv } from "../../app-env";
import { audit } from "../../audit/record";
import { db } from "../../db";
import { conflict, gone, notFound } from "../../errors";
import { publicOrigin } from "../../public-origin";
import { publicUser } from "../auth/routes";
import { startSession } from "../auth/start-session";
import { isBuiltInRole } from "../permissions";
import { assignableRole, builtInRoleName, checkGrantable, lookupRole } from "../role-store";
import { route } from "../route";
import { Email, Name, Password } from "../schemas";
import { checkTeamIds, TeamIds } from "../teams";
import { RoleRef } from "../users";
import { LinkToken } from "./link-token";

type Ctx = Context<AppEnv>;

export const INVITATION_TOKEN_PREFIX = "inv_";
const HOUR_MS = 60 * 60 * 1000;

export function invitationStatus(row: Invitation, now = Date.now()): InvitationStatus {
  if (row.acceptedAt !== null) return "accepted";
  if (row.revokedAt !== null) return "revoked";
  return row.expiresAt <= now ? "expired" : "pending";
}

/** A custom role's name, or the built-in role's; the id itself if the role is gone. */
async function roleNames(env: Env, orgId: string): Promise<(role: string) => string> {
  const custom = await db(env)
    .select({ id: roles.id, name: roles.name })
    .from(roles)
    .where(eq(roles.orgId, orgId));
  const byId = new Map(custom.map((r) => [r.id, r.name]));
  return (role) => (isBuiltInRole(role) ? builtInRoleName(role) : (byId.get(role) ?? role));
}

const invitationView = (row: Invitation, roleName: string): InvitationView => ({
  id: row.id,
  email: row.email,
  role: row.role,
  roleName,
  teamIds: row.teamIds,
  status: invitationStatus(row),
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  acceptedAt: row.acceptedAt,
  acceptedUserId: row.acceptedUserId,
  revokedAt: row.revokedAt,
});

/** Why a link cannot be used (410), in words the invitee understands; null when it can. */
function refusal(row: Invitation, now = Date.now()): string | null {
  switch (invitationStatus(row, now)) {
    case "accepted":
      return "This invitation has already been used. Sign in instead, or ask for a new invitation.";
    case "revoked":
      return "This invitation has been revoked. Ask an admin for a new one.";
    case "expired":
      return "This invitation has expired. Ask an admin for a new one.";
    default:
      return null;
  }
}

const NOT_VALID = "This invitation link is not valid. Check that you copied all of it.";

async function findByToken(env: Env, token: string) {
  const [row] = await db(env)
    .select()
    .from(invitations)
    .where(eq(invitations.tokenHash, await sha256Hex(token)));
  return row;
}

async function emailTaken(env: Env, email: string): Promise<boolean> {
  const [row] = await db(env).select({ id: users.id }).from(users).where(eq(users.email, email));
  return row !== undefined;
}

function refuseAccept(c: Ctx, row: Invitation | undefined, status: number, message: string) {
  audit(c, {
    action: "invitation.accept_refused",
    resourceType: "invitation",
    resourceId: row?.id,
    status,
    outcome: "denied",
    detail: message,
    actor: { email: row?.email, orgId: row?.orgId, via: "invitation" },
  });
}

export const invitationCrudRoutes = [
  route({
    method: "post",
    path: "/invitations",
    summary:
      "Invite someone by email: returns a single-use link (shown once) that lets them set a password and join with the given role and teams",
    access: "member:create",
    body: z.object({
      email: Email,
      role: RoleRef,
      teamIds: TeamIds.optional(),
      expiresInHours: z.number().int().min(1).max(720).default(72),
    }),
    async handler(c, { body }) {
      const caller = c.get("user");
      checkGrantable(caller, await assignableRole(c.env, caller.orgId, body.role));
      await checkTeamIds(c.env, caller.orgId, body.teamIds);
      if (await emailTaken(c.env, body.email)) {
        throw conflict("An account with this email already exists.");
      }
      const token = randomToken(INVITATION_TOKEN_PREFIX);
      const now = Date.now();
      const row: Invitation = {
        id: newId("inv"),
        orgId: caller.orgId,
        email: body.email,
        role: body.role,
        teamIds: body.teamIds ?? [],
        tokenHash: await sha256Hex(token),
        createdBy: caller.id,
        createdAt: now,
        expiresAt: now + body.expiresInHours * HOUR_MS,
        acceptedAt: null,
        acceptedUserId: null,
        revokedAt: null,
      };
      // One live invitation per address: the newest link is the one that works.
      await db(c.env).batch([
        db(c.env)
          .update(invitations)
          .set({ revokedAt: now })
          .where(
            and(
              eq(invitations.orgId, caller.orgId),
              eq(invitations.email, body.email),
              isNull(invitations.acceptedAt),
              isNull(invitations.revokedAt),
            ),
          ),
        db(c.env).insert(invitations).values(row),
      ]);
      const names = await roleNames(c.env, caller.orgId);
      const created: CreatedInvitation = {
        ...invitationView(row, names(row.role)),
        token,
        url: `${publicOrigin(c)}/invite/${token}`,
      };
      return c.json(created, 201, { "cache-control": "no-store" });
    },
  }),
  route({
    method: "get",
    path: "/invitations",
    summary: "List invitations, newest first, each pending, expired, accepted or revoked",
    access: "member:read",
    async handler(c) {
      const orgId = c.get("user").orgId;
      const [rows, names] = await Promise.all([
        db(c.env)
          .select()
          .from(invitations)
          .where(eq(invitations.orgId, orgId))
          .orderBy(desc(invitations.createdAt)),
        roleNames(c.env, orgId),
      ]);
      return c.json({ data: rows.map((r) => invitationView(r, names(r.role))) });
    },
  }),
  route({
    method: "delete",
    path: "/invitations/:id",
    summary: "Revoke an invitation: its link stops working",
    access: "member:create",
    async handler(c) {
      const where = and(
        eq(invitations.id, c.req.param("id") ?? ""),
        eq(invitations.orgId, c.get("user").orgId),
      );
      const [row] = await db(c.env).select().from(invitations).where(where);
      if (!row) throw notFound("No such invitation.");
      if (row.acceptedAt !== null) {
        throw conflict("This invitation was already accepted; deactivate the user instead.");
      }
      await db(c.env)
        .update(invitations)
        .set({ revokedAt: Date.now() })
        .where(and(where, isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
      return c.body(null, 204);
    },
  }),
];

export const invitationPublicRoutes = [
  route({
    method: "get",
    path: "/invitations/lookup",
    summary: "What an invitation link offers (email, organisation, role), before accepting it",
    access: "public",
    query: z.object({ token: LinkToken }),
    async handler(c, { query }) {
      const row = await findByToken(c.env, query.token);
      if (!row) throw notFound(NOT_VALID);
      const why = refusal(row);
      if (why) throw gone(why);
      const [org] = await db(c.env)
        .select({ name: organisations.name })
        .from(organisations)
        .where(eq(organisations.id, row.orgId));
      const names = await roleNames(c.env, row.orgId);
      const lookup: InvitationLookup = {
        email: row.email,
        organisationName: org?.name ?? "",
        roleName: names(row.role),
        expiresAt: row.expiresAt,
      };
      return c.json(lookup);
    },
  }),
  route({
    method: "post",
    path: "/invitations/accept",
    summary:
      "Accept an invitation: creates the account with a password, joins its teams, and signs in",
    access: "public",
    body: z.object({ token: LinkToken, name: Name, password: Password }),
    async handler(c, { body }) {
      const row = await findByToken(c.env, body.token);
      if (!row) {
        refuseAccept(c, undefined, 404, NOT_VALID);
        throw notFound(NOT_VALID);
      }
      const early = refusal(row);
      if (early) {
        refuseAccept(c, row, 410, early);
        throw gone(early);
      }
      const permissions = await lookupRole(c.env, row.orgId, row.role);
      if (!permissions) {
        const message =
          "The role this invitation grants no longer exists. Ask an admin for a new invitation.";
        refuseAccept(c, row, 409, message);
        throw conflict(message);
      }
      const userId = newId("usr");
      const now = Date.now();
      const passwordHash = await hashPassword(body.password);
      const DB = c.env.DB;
      const mine = "id = ? AND accepted_user_id = ?";
      const results = await DB.batch([
        DB.prepare(
          `UPDATE invitations SET accepted_at = ?, accepted_user_id = ?
           WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?
             AND NOT EXISTS (SELECT 1 FROM users WHERE users.email = invitations.email)`,
        ).bind(now, userId, row.id, now),
        // Both inserts happen only if the update above marked the invitation as this user's.
        DB.prepare(
          `INSERT INTO users (id, org_id, email, name, role, password_hash, status, created_at, origin)
           SELECT ?, org_id, email, ?, role, ?, 'active', ?, 'invitation'
           FROM invitations WHERE ${mine}`,
        ).bind(userId, body.name, passwordHash, now, row.id, userId),
        // Teams deleted since the invitation was made are skipped.
        DB.prepare(
          `INSERT INTO team_members (team_id, user_id, org_id, added_at)
           SELECT teams.id, ?, teams.org_id, ? FROM teams
           WHERE teams.org_id = ? AND teams.id IN (SELECT value FROM json_each(
             (SELECT team_ids FROM invitations WHERE ${mine})))`,
        ).bind(userId, now, row.orgId, row.id, userId),
      ]);
      if ((results[1]?.meta.changes ?? 0) === 0) {
        const after = (await findByToken(c.env, body.token)) ?? row;
        const why = refusal(after);
        if (why) {
          refuseAccept(c, after, 410, why);
          throw gone(why);
        }
        const message = "An account with this email already exists. Sign in instead.";
        refuseAccept(c, after, 409, message);
        throw conflict(message);
      }
      audit(c, {
        action: "invitation.accept",
        resourceType: "invitation",
        resourceId: row.id,
        status: 201,
        outcome: "success",
        actor: { userId, email: row.email, orgId: row.orgId, via: "invitation" },
      });
      await startSession(c, userId);
      const user = publicUser({
        id: userId,
        orgId: row.orgId,
        email: row.email,
        name: body.name,
        role: row.role,
        permissions,
      });
      return c.json({ user }, 201);
    },
  }),
];
