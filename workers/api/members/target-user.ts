// The user an admin acts on (deactivates, reactivates, resets): found in the caller's
// organisation only, and never one who holds permissions the caller lacks, or a lesser admin
// could take over a greater one's account with a reset link.
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { type User, users } from "../../../d1/schema";
import type { AppEnv } from "../../app-env";
import { db } from "../../db";
import { forbidden, notFound } from "../../errors";
import { beyond } from "../permissions";
import { lookupRole } from "../role-store";

export async function findOrgUser(c: Context<AppEnv>, id: string): Promise<User> {
  const [row] = await db(c.env)
    .select()
    .from(users)
    .where(and(eq(users.id, id), eq(users.orgId, c.get("user").orgId)));
  if (!row) throw notFound("No such user.");
  return row;
}

export async function checkMayActOn(c: Context<AppEnv>, target: User, doing: string) {
  const held = (await lookupRole(c.env, target.orgId, target.role)) ?? [];
  const missing = beyond(c.get("user"), held);
  if (missing.length > 0) {
    throw forbidden(
      `You cannot ${doing} a user who holds permissions you do not: ${missing.join(", ")}.`,
    );
  }
}
