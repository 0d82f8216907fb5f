// A new dashboard session: a random cookie whose SHA-256 is stored, for password, SSO and
// invitation sign-ins alike.
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import { sessions } from "../../../d1/schema";
import { randomToken, sha256Hex } from "../../../shared/crypto";
import { newId } from "../../../shared/ids";
import type { AppEnv } from "../../app-env";
import { db } from "../../db";
import { SESSION_COOKIE } from "./session";

export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export async function startSession(c: Context<AppEnv>, userId: string) {
  const token = randomToken("ses_");
  const now = Date.now();
  await db(c.env)
    .insert(sessions)
    .values({
      id: newId("ses"),
      tokenHash: await sha256Hex(token),
      userId,
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
      userAgent: c.req.header("user-agent")?.slice(0, 256) ?? null,
    });
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: new URL(c.req.url).protocol === "https:",
    sameSite: "Lax",
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
  });
}
