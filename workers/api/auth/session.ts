// Who is calling /api: a personal API token (automation), a session cookie (the dashboard), or,
// when the organisation has enabled it, a Cloudflare Access assertion. An Access caller without
// a valid cookie gets a normal session started on that request, so later requests take the
// cookie path; the assertion is checked again only when the cookie is gone or expired.
import { and, eq, gt, isNull, or } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { apiTokens, roles, sessions, users } from "../../../d1/schema";
import type { RoleName } from "../../../shared/api-types";
import { sha256Hex } from "../../../shared/crypto";
import type { AppEnv } from "../../app-env";
import { db } from "../../db";
import { forbidden, unauthorized } from "../../errors";
import { ACCESS_HEADER, accessUser, verifyAccessAssertion } from "../../sso/access";
import { type Permission, resolvePermissions } from "../permissions";
import { startSession } from "./start-session";

export const SESSION_COOKIE = "gatehouse_session";
export const API_TOKEN_PREFIX = "gha_";

export interface SessionUser {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: RoleName;
  /** What the caller's role allows, resolved afresh on every request. */
  permissions: ReadonlySet<Permission>;
  via: "session" | "token" | "access";
  /** The session or API token id the caller used ("access" for a Cloudflare Access assertion). */
  credentialId: string;
}

const userColumns = {
  id: users.id,
  orgId: users.orgId,
  email: users.email,
  name: users.name,
  role: users.role,
  customPermissions: roles.permissions,
};

// The custom role, if the user holds one, comes with the user in the same query; a role id
// from another organisation matches nothing and so grants nothing.
const withRole = and(eq(roles.id, users.role), eq(roles.orgId, users.orgId));

interface UserRow extends Omit<SessionUser, "permissions" | "via"> {
  customPermissions: string[] | null;
}

function toSessionUser(row: UserRow, via: SessionUser["via"]): SessionUser {
  const { customPermissions, ...user } = row;
  return { ...user, permissions: resolvePermissions(user.role, customPermissions), via };
}

async function fromSession(env: Env, token: string): Promise<SessionUser | null> {
  const rows = await db(env)
    .select({ ...userColumns, credentialId: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(roles, withRole)
    .where(
      and(
        eq(sessions.tokenHash, await sha256Hex(token)),
        gt(sessions.expiresAt, Date.now()),
        eq(users.status, "active"),
      ),
    );
  const row = rows[0];
  return row ? toSessionUser(row, "session") : null;
}

async function fromUserId(env: Env, userId: string): Promise<SessionUser | null> {
  const rows = await db(env)
    .select(userColumns)
    .from(users)
    .leftJoin(roles, withRole)
    .where(and(eq(users.id, userId), eq(users.status, "active")));
  const row = rows[0];
  return row ? toSessionUser({ ...row, credentialId: "access" }, "access") : null;
}

async function fromApiToken(env: Env, token: string): Promise<SessionUser | null> {
  const now = Date.now();
  const rows = await db(env)
    .select({ ...userColumns, credentialId: apiTokens.id })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .leftJoin(roles, withRole)
    .where(
      and(
        eq(apiTokens.tokenHash, await sha256Hex(token)),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
        eq(users.status, "active"),
      ),
    );
  const row = rows[0];
  if (!row) return null;
  await db(env)
    .update(apiTokens)
    .set({ lastUsedAt: now })
    .where(eq(apiTokens.id, row.credentialId));
  return toSessionUser(row, "token");
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A cookie-authenticated change must come from our own origin. Browsers always send Origin
 * on cross-site POST/PATCH/DELETE, so a missing or foreign Origin is refused.
 */
function checkSameOrigin(c: Context<AppEnv>) {
  if (SAFE_METHODS.has(c.req.method)) return;
  const origin = c.req.header("origin");
  const own = new URL(c.req.url).origin;
  const configured = c.env.PUBLIC_ORIGIN?.replace(/\/+$/, "");
  if (!origin || (origin !== own && origin !== configured)) {
    throw forbidden("Cross-site request refused: this change must come from the dashboard.");
  }
}

export async function identify(c: Context<AppEnv>): Promise<SessionUser | null> {
  const auth = c.req.header("authorization");
  if (auth) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    const token = match?.[1];
    if (!token?.startsWith(API_TOKEN_PREFIX)) {
      throw unauthorized("The admin API takes a personal API token (gha_…) as Bearer.");
    }
    const user = await fromApiToken(c.env, token);
    if (!user) throw unauthorized("This API token is not valid, expired or revoked.");
    return user;
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  const user = cookie ? await fromSession(c.env, cookie) : null;
  if (user) {
    checkSameOrigin(c);
    return user;
  }
  const assertion = c.req.header(ACCESS_HEADER);
  return assertion ? fromAccess(c, assertion) : null;
}

/**
 * Cloudflare Access puts the assertion on every request from a signed-in browser, so it is
 * ambient authority like a cookie: the same-origin rule applies before anything is written.
 */
async function fromAccess(c: Context<AppEnv>, assertion: string): Promise<SessionUser | null> {
  const verified = await verifyAccessAssertion(c, assertion);
  if (!verified) return null;
  checkSameOrigin(c);
  const { userId } = await accessUser(c, verified);
  await startSession(c, userId);
  return fromUserId(c.env, userId);
}

export const requireUser: MiddlewareHandler<AppEnv> = async function requireUser(c, next) {
  const user = await identify(c);
  if (!user) throw unauthorized("Sign in first, or send a personal API token as Bearer.");
  c.set("user", user);
  await next();
};
