// GET /api/audit: the organisation's audit log, newest first, keyset-paginated and filtered.
import { and, desc, eq, gte, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { auditLog } from "../../d1/schema";
import type { AuditEntryView, ListOf } from "../../shared/api-types";
import { redact } from "../audit/redact";
import { db } from "../db";
import { type ApiRoute, route } from "./route";
import { Id } from "./schemas";
import { decodeTimeCursor, encodeTimeCursor } from "./time-cursor";

const Time = z.union([
  z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)),
  z.coerce.number().int().positive(),
]);

const AuditQuery = z.object({
  actorUserId: Id.optional(),
  /** A prefix: "llmProxy" matches llmProxy.create, llmProxy.update, … */
  action: z.string().min(1).max(100).optional(),
  resourceType: z.string().min(1).max(64).optional(),
  resourceId: z.string().min(1).max(200).optional(),
  outcome: z.enum(["success", "denied", "error"]).optional(),
  from: Time.optional(),
  to: Time.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

type Row = typeof auditLog.$inferSelect;

const view = (r: Row): AuditEntryView => ({
  id: r.id,
  at: r.at,
  actor: { userId: r.actorUserId, email: r.actorEmail, via: r.actorVia },
  ip: r.ip,
  userAgent: r.userAgent,
  action: r.action,
  method: r.method,
  path: r.path,
  resourceType: r.resourceType,
  resourceId: r.resourceId,
  status: r.status,
  outcome: r.outcome,
  // Redacted when written; again here, so a row written by older code cannot leak either.
  before: redact(r.before),
  after: redact(r.after),
  detail: r.detail,
});

export const auditRoutes: ApiRoute[] = [
  route({
    method: "get",
    path: "/audit",
    summary: "Audit log, newest first; filter by actor, action prefix, resource, outcome and time",
    access: "audit:read",
    query: AuditQuery,
    async handler(c, { query }) {
      const where: SQL[] = [eq(auditLog.orgId, c.get("user").orgId)];
      if (query.actorUserId) where.push(eq(auditLog.actorUserId, query.actorUserId));
      if (query.action) {
        where.push(sql`substr(${auditLog.action}, 1, ${query.action.length}) = ${query.action}`);
      }
      if (query.resourceType) where.push(eq(auditLog.resourceType, query.resourceType));
      if (query.resourceId) where.push(eq(auditLog.resourceId, query.resourceId));
      if (query.outcome) where.push(eq(auditLog.outcome, query.outcome));
      if (query.from !== undefined) where.push(gte(auditLog.at, query.from));
      if (query.to !== undefined) where.push(lte(auditLog.at, query.to));
      if (query.cursor) {
        const { at, id } = decodeTimeCursor(query.cursor);
        const older = or(lt(auditLog.at, at), and(eq(auditLog.at, at), lt(auditLog.id, id)));
        if (older) where.push(older);
      }
      const rows = await db(c.env)
        .select()
        .from(auditLog)
        .where(and(...where))
        .orderBy(desc(auditLog.at), desc(auditLog.id))
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const body: ListOf<AuditEntryView> & { nextCursor: string | null } = {
        data: page.map(view),
        nextCursor: rows.length > query.limit && last ? encodeTimeCursor(last) : null,
      };
      return c.json(body);
    },
  }),
];
