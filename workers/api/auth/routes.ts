// First run, sign-in, sign-out, "who am I", and personal API tokens.

import { and, count, desc, eq, isNull } from "drizzle-orm";
import { deleteCookie } from "hono/cookie";
import { z } from "zod";
import { apiTokens, sessions, users } from "../../../d1/schema";
import type { SetupStatus, UserView } from "../../../shared/api-types";
import {
  constantTimeEqual,
  hashPassword,
  randomToken,
  sha256Hex,
  verifyPassword,
} from "../../../shared/crypto";
import { newId } from "../../../shared/ids";
import { audit } from "../../audit/record";
import { config } from "../../config";
import { db } from "../../db";
import { conflict, forbidden, notFound, unauthorized } from "../../errors";
import { passwordSignInRefusal } from "../../sso/policy";
import { BUILT_IN_ROLE_PERMISSIONS } from "../permissions";
import { lookupRole } from "../role-store";
import { route } from "../route";
import { Email, FutureTime, Name, Password } from "../schemas";
import { API_TOKEN_PREFIX, SESSION_COOKIE, type SessionUser } from "./session";
import {
  checkSignIn,
  clearSignInFailures,
  recordSignInFailure,
  signInGuards,
} from "./sign-in-lockout";
import { startSession } from "./start-session";

// A refused sign-in, as the request's own audit entry describes it (its status and outcome
// are then taken from the response itself).
const refused = (action: string, status: number) =>
  ({ action, status, outcome: "denied" }) as const;

// A hash to compare against when the account does not exist, so timing does not tell.
let decoyHash: Promise<string> | undefined;

export function publicUser(
  u: Pick<SessionUser, "id" | "orgId" | "email" | "name" | "role" | "permissions">,
): UserView {
  return {
    id: u.id,
    organisationId: u.orgId,
    email: u.email,
    name: u.name,
    role: u.role,
    permissions: [...u.permissions],
  };
}

export const authRoutes = [
  route({
    method: "get",
    path: "/setup",
    summary: "Whether first-run setup is still open (no user exists yet)",
    access: "public",
    async handler(c) {
      const [row] = await db(c.env).select({ n: count() }).from(users);
      const status: SetupStatus = {
        needed: (row?.n ?? 0) === 0,
        tokenRequired: config(c.env).environment !== "development",
      };
      return c.json(status);
    },
  }),
  route({
    method: "post",
    path: "/setup",
    summary: "Create the organisation and its first admin (only while no user exists)",
    access: "public",
    body: z.object({ organisationName: Name, name: Name, email: Email, password: Password }),
    async handler(c, { body }) {
      const cfg = config(c.env);
      if (cfg.environment !== "development") {
        const given = c.req.header("x-setup-token") ?? "";
        if (!cfg.setupToken || !constantTimeEqual(given, cfg.setupToken)) {
          throw unauthorized("Setup needs the SETUP_TOKEN secret in the X-Setup-Token header.");
        }
      }
      const orgId = newId("org");
      const userId = newId("usr");
      const now = Date.now();
      const passwordHash = await hashPassword(body.password);
      // Conditional inserts in one batch: a second, concurrent setup inserts nothing.
      const noUserYet = `NOT EXISTS (SELECT 1 FROM users)`;
      const results = await c.env.DB.batch([
        c.env.DB.prepare(
          `INSERT INTO organisations (id, name, created_at) SELECT ?, ?, ? WHERE ${noUserYet}`,
        ).bind(orgId, body.organisationName, now),
        c.env.DB.prepare(
          `INSERT INTO users (id, org_id, email, name, role, password_hash, status, created_at)
           SELECT ?, ?, ?, ?, 'admin', ?, 'active', ? WHERE ${noUserYet}
             AND EXISTS (SELECT 1 FROM organisations WHERE id = ?)`,
        ).bind(userId, orgId, body.email, body.name, passwordHash, now, orgId),
      ]);
      if ((results[1]?.meta.changes ?? 0) === 0) {
        throw conflict("Setup is already done: an admin exists. Sign in instead.");
      }
      await startSession(c, userId);
      audit(c, {
        action: "organisation.setup",
        resourceType: "organisation",
        resourceId: orgId,
        status: 201,
        outcome: "success",
        actor: { userId, email: body.email, orgId, via: "setup" },
      });
      const user = {
        id: userId,
        orgId,
        email: body.email,
        name: body.name,
        role: "admin",
        permissions: BUILT_IN_ROLE_PERMISSIONS.admin,
      };
      return c.json({ user: publicUser(user) }, 201);
    },
  }),
  route({
    method: "post",
    path: "/auth/login",
    summary: "Sign in with email and password; sets the session cookie",
    access: "public",
    body: z.object({ email: Email, password: z.string().min(1).max(256) }),
    async handler(c, { body }) {
      // Cloudflare always sets the client address; without one (a local test client) only the
      // per-account guard applies.
      const guards = signInGuards(body.email, c.req.header("cf-connecting-ip") ?? null);
      const claimed = { email: body.email, via: "anonymous" };
      let pastFailures: boolean;
      try {
        pastFailures = await checkSignIn(c.env, guards);
      } catch (err) {
        audit(c, { ...refused("auth.login_locked", 429), actor: claimed });
        throw err;
      }
      const [user] = await db(c.env).select().from(users).where(eq(users.email, body.email));
      decoyHash ??= hashPassword("decoy password for absent accounts");
      const ok = await verifyPassword(body.password, user?.passwordHash ?? (await decoyHash));
      if (!user || !ok || user.status !== "active") {
        await recordSignInFailure(c.env, guards);
        audit(c, {
          ...refused("auth.login_failed", 401),
          actor: { ...claimed, orgId: user?.orgId },
          ...(user ? { resourceType: "user", resourceId: user.id } : {}),
        });
        throw unauthorized("Wrong email or password.");
      }
      const who = { userId: user.id, email: user.email, orgId: user.orgId, via: "password" };
      // Checked only once the password is right, so it tells a guesser nothing.
      const refusal = await passwordSignInRefusal(c.env, user);
      if (refusal) {
        audit(c, { ...refused("auth.login_refused", 403), actor: who, detail: refusal });
        throw forbidden(refusal);
      }
      if (pastFailures) await clearSignInFailures(c.env, guards);
      await startSession(c, user.id);
      audit(c, {
        action: "auth.login",
        resourceType: "user",
        resourceId: user.id,
        status: 200,
        outcome: "success",
        actor: who,
      });
      const permissions = (await lookupRole(c.env, user.orgId, user.role)) ?? new Set();
      return c.json({ user: publicUser({ ...user, permissions }) });
    },
  }),
  route({
    method: "post",
    path: "/auth/logout",
    summary: "End the current session",
    access: "signed-in",
    async handler(c) {
      const user = c.get("user");
      if (user.via === "session") {
        await db(c.env).delete(sessions).where(eq(sessions.id, user.credentialId));
      }
      deleteCookie(c, SESSION_COOKIE, { path: "/" });
      return c.body(null, 204);
    },
  }),
  route({
    method: "get",
    path: "/me",
    summary: "The signed-in user and their permissions",
    access: "signed-in",
    handler: (c) => c.json({ user: publicUser(c.get("user")) }),
  }),
  route({
    method: "post",
    path: "/tokens",
    summary: "Create a personal API token (shown once)",
    access: "signed-in",
    body: z.object({ name: Name, expiresAt: FutureTime.optional() }),
    async handler(c, { body }) {
      const user = c.get("user");
      const token = randomToken(API_TOKEN_PREFIX);
      const row = {
        id: newId("tok"),
        userId: user.id,
        name: body.name,
        tokenHash: await sha256Hex(token),
        tokenPrefix: token.slice(0, 10),
        createdAt: Date.now(),
        expiresAt: body.expiresAt ?? null,
      };
      await db(c.env).insert(apiTokens).values(row);
      return c.json({ token, ...publicToken(row) }, 201);
    },
  }),
  route({
    method: "get",
    path: "/tokens",
    summary: "List your personal API tokens (never the token itself)",
    access: "signed-in",
    async handler(c) {
      const rows = await db(c.env)
        .select()
        .from(apiTokens)
        .where(and(eq(apiTokens.userId, c.get("user").id), isNull(apiTokens.revokedAt)))
        .orderBy(desc(apiTokens.createdAt));
      return c.json({ data: rows.map(publicToken) });
    },
  }),
  route({
    method: "delete",
    path: "/tokens/:id",
    summary: "Revoke one of your personal API tokens",
    access: "signed-in",
    async handler(c) {
      const result = await db(c.env)
        .update(apiTokens)
        .set({ revokedAt: Date.now() })
        .where(
          and(
            eq(apiTokens.id, c.req.param("id") ?? ""),
            eq(apiTokens.userId, c.get("user").id),
            isNull(apiTokens.revokedAt),
          ),
        );
      if (result.meta.changes === 0) throw notFound("No such API token.");
      return c.body(null, 204);
    },
  }),
];

function publicToken(row: {
  id: string;
  name: string;
  tokenPrefix: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt?: number | null;
}) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.tokenPrefix,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt ?? null,
  };
}
