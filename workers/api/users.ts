// /api/users: the organisation's people. Invitations and SSO come with the identity issue;
// until then an admin creates accounts with a first password.

import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "../../d1/schema";
import type { MemberView } from "../../shared/api-types";
import { hashPassword } from "../../shared/crypto";
import { newId } from "../../shared/ids";
import { db } from "../db";
import { conflict } from "../errors";
import { route } from "./route";
import { Email, Name, Password } from "./schemas";

type Row = typeof users.$inferSelect;

const publicMember = (u: Row): MemberView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  status: u.status,
  createdAt: u.createdAt,
});

export const userRoutes = [
  route({
    method: "get",
    path: "/users",
    summary: "List the organisation's users",
    access: "member:read",
    async handler(c) {
      const rows = await db(c.env)
        .select()
        .from(users)
        .where(eq(users.orgId, c.get("user").orgId))
        .orderBy(asc(users.email));
      return c.json({ data: rows.map(publicMember) });
    },
  }),
  route({
    method: "post",
    path: "/users",
    summary: "Create a user with a first password",
    access: "member:create",
    body: z.object({
      email: Email,
      name: Name,
      role: z.enum(["admin", "member"]),
      password: Password,
    }),
    async handler(c, { body }) {
      const row: Row = {
        id: newId("usr"),
        orgId: c.get("user").orgId,
        email: body.email,
        name: body.name,
        role: body.role,
        passwordHash: await hashPassword(body.password),
        status: "active",
        createdAt: Date.now(),
      };
      const result = await db(c.env).insert(users).values(row).onConflictDoNothing();
      if (result.meta.changes === 0) throw conflict("A user with this email already exists.");
      return c.json(publicMember(row), 201);
    },
  }),
];
