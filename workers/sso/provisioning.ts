// Just-in-time provisioning for single sign-on. An identity is matched to an account by its
// OIDC subject, else by email (and the subject recorded); with neither, an account is made.
// On every OIDC sign-in the role mapping is re-applied when it matched (the organisation's
// last active admin keeps their role) and membership of mapped teams follows the claim.
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { type Invitation, invitations, type User, users } from "../../d1/schema";
import { newId } from "../../shared/ids";
import { lookupRole } from "../api/role-store";
import { db } from "../db";
import { mappedRole, mappedTeams } from "./mapping";
import { SsoRefusal } from "./refusal";
import type { SsoSettings } from "./settings";

export interface SsoIdentity {
  orgId: string;
  /** Lower-cased. */
  email: string;
  name: string;
  /** "<iss>|<sub>" for OIDC; null for Cloudflare Access, which links by email only. */
  subject: string | null;
  origin: "oidc" | "access";
  /** The role claim's values; null when no claim is configured or the token lacks it. */
  claimValues: string[] | null;
}

export interface SignedInUser {
  userId: string;
  email: string;
  created: boolean;
}

const isActive = (u: User) => u.status === "active" && u.deactivatedAt === null;

async function findBy(env: Env, column: "email" | "subject", value: string) {
  const where = column === "email" ? eq(users.email, value) : eq(users.oidcSubject, value);
  const [row] = await db(env).select().from(users).where(where);
  return row;
}

/** The account this identity signs in as, or why it may not. */
function checkMatch(user: User, identity: SsoIdentity): void {
  const actor = { email: identity.email, userId: user.id };
  if (user.orgId !== identity.orgId) {
    throw new SsoRefusal("account_conflict", "the account belongs to another organisation", actor);
  }
  if (identity.subject && user.oidcSubject && user.oidcSubject !== identity.subject) {
    throw new SsoRefusal(
      "account_conflict",
      "the account with this email is linked to a different identity at the provider",
      actor,
    );
  }
  if (!isActive(user)) {
    throw new SsoRefusal("account_deactivated", "the account is deactivated", actor);
  }
}

/** A role that exists in the organisation, or null (a custom role deleted since it was mapped). */
async function existingRole(env: Env, orgId: string, role: string | null) {
  if (!role) return null;
  return (await lookupRole(env, orgId, role)) ? role : null;
}

/**
 * An open invitation for this email: someone invited who signs in with SSO instead of the
 * link gets the invited role and teams, and the invitation counts as accepted.
 */
async function pendingInvitation(env: Env, orgId: string, email: string) {
  const [row] = await db(env)
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.orgId, orgId),
        eq(invitations.email, email),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, Date.now()),
      ),
    )
    .orderBy(desc(invitations.createdAt))
    .limit(1);
  return row;
}

/** Marks the invitation accepted by this new account (once) and joins its teams that still exist. */
async function acceptInvitation(env: Env, invitation: Invitation, userId: string) {
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      "UPDATE invitations SET accepted_at = ?, accepted_user_id = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL",
    ).bind(now, userId, invitation.id),
    ...invitation.teamIds.map((teamId) =>
      env.DB.prepare(
        `INSERT OR IGNORE INTO team_members (team_id, user_id, org_id, added_at)
         SELECT id, ?, org_id, ? FROM teams WHERE id = ? AND org_id = ?`,
      ).bind(userId, now, teamId, invitation.orgId),
    ),
  ]);
}

export async function provisionSsoUser(
  env: Env,
  settings: SsoSettings,
  identity: SsoIdentity,
): Promise<SignedInUser> {
  const mapped =
    identity.origin === "oidc"
      ? await existingRole(
          env,
          identity.orgId,
          mappedRole(settings.oidcRoleMapping, identity.claimValues),
        )
      : null;
  let user =
    (identity.subject ? await findBy(env, "subject", identity.subject) : undefined) ??
    (await findBy(env, "email", identity.email));
  let created = false;
  let invitation: Invitation | undefined;
  if (!user) {
    invitation = await pendingInvitation(env, identity.orgId, identity.email);
    // The identity provider's mapping decides first; an invitation beats the default role.
    const role =
      mapped ??
      (await existingRole(env, identity.orgId, invitation?.role ?? null)) ??
      (await existingRole(env, identity.orgId, settings.oidcDefaultRole)) ??
      "member";
    const now = Date.now();
    const inserted = await db(env)
      .insert(users)
      .values({
        id: newId("usr"),
        orgId: identity.orgId,
        email: identity.email,
        name: identity.name,
        role,
        passwordHash: null,
        status: "active",
        createdAt: now,
        origin: identity.origin,
        oidcSubject: identity.subject,
        lastSignInAt: null,
      })
      // A concurrent first sign-in of the same person inserts nothing; we read theirs.
      .onConflictDoNothing();
    created = inserted.meta.changes > 0;
    user = await findBy(env, "email", identity.email);
    if (!user) throw new Error("provisioned user not found after insert");
    if (created && invitation) await acceptInvitation(env, invitation, user.id);
  }
  checkMatch(user, identity);
  if (identity.origin === "oidc" && !created) {
    if (mapped && mapped !== user.role) await applyMappedRole(env, user, mapped);
  }
  if (identity.origin === "oidc" && identity.claimValues !== null) {
    await syncTeams(env, user, settings.oidcTeamMapping, identity.claimValues);
  }
  await env.DB.prepare(
    "UPDATE users SET last_sign_in_at = ?, oidc_subject = COALESCE(oidc_subject, ?) WHERE id = ?",
  )
    .bind(Date.now(), identity.subject, user.id)
    .run();
  return { userId: user.id, email: user.email, created };
}

/**
 * Sets the mapped role unless that would take the organisation's last active admin away: in
 * one statement, so two sign-ins at once cannot both demote the last two admins.
 */
async function applyMappedRole(env: Env, user: User, role: string) {
  await env.DB.prepare(
    `UPDATE users SET role = ?1
     WHERE id = ?2
       AND (?1 = 'admin' OR users.role != 'admin'
            OR EXISTS (SELECT 1 FROM users AS other
                       WHERE other.org_id = users.org_id AND other.id != users.id
                         AND other.role = 'admin' AND other.status = 'active'
                         AND other.deactivated_at IS NULL))`,
  )
    .bind(role, user.id)
    .run();
}

/** Joins the mapped teams the claim asks for and leaves the mapped ones it no longer does. */
async function syncTeams(
  env: Env,
  user: User,
  mapping: Record<string, string> | null,
  values: readonly string[],
) {
  const { managed, wanted } = mappedTeams(mapping, values);
  if (managed.size === 0) return;
  const now = Date.now();
  const statements = [...managed].map((teamId) =>
    wanted.has(teamId)
      ? // Only a team of this organisation that still exists.
        env.DB.prepare(
          `INSERT INTO team_members (team_id, user_id, org_id, added_at)
           SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM teams WHERE id = ?1 AND org_id = ?3)
           ON CONFLICT DO NOTHING`,
        ).bind(teamId, user.id, user.orgId, now)
      : env.DB.prepare("DELETE FROM team_members WHERE team_id = ? AND user_id = ?").bind(
          teamId,
          user.id,
        ),
  );
  await env.DB.batch(statements);
}
