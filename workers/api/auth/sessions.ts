// One's own sign-in sessions: list them (the current one marked) and end any of them.
import { and, desc, eq, gt } from "drizzle-orm";
import { sessions } from "../../../d1/schema";
import type { SessionView } from "../../../shared/api-types";
import { db } from "../../db";
import { notFound } from "../../errors";
import { route } from "../route";

export const sessionRoutes = [
  route({
    method: "get",
    path: "/sessions",
    summary: "List your live sign-in sessions, the current one marked",
    access: "signed-in",
    async handler(c) {
      const user = c.get("user");
      const rows = await db(c.env)
        .select()
        .from(sessions)
        .where(and(eq(sessions.userId, user.id), gt(sessions.expiresAt, Date.now())))
        .orderBy(desc(sessions.createdAt));
      const data: SessionView[] = rows.map((s) => ({
        id: s.id,
        createdAt: s.createdAt,
        expiresAt: s.expiresAt,
        userAgent: s.userAgent,
        current: user.via === "session" && user.credentialId === s.id,
      }));
      return c.json({ data });
    },
  }),
  route({
    method: "delete",
    path: "/sessions/:id",
    summary: "End one of your sessions (sign that browser out)",
    access: "signed-in",
    async handler(c) {
      const user = c.get("user");
      const gone = await db(c.env)
        .delete(sessions)
        .where(and(eq(sessions.id, c.req.param("id") ?? ""), eq(sessions.userId, user.id)))
        .returning({ id: sessions.id });
      if (gone.length === 0) throw notFound("No such session of yours.");
      return c.body(null, 204);
    },
  }),
];
