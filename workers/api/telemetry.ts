// /api/telemetry/dead-letters: the telemetry messages the queue consumer could not store, with
// the reason (see workers/telemetry/dead-letters.ts). Admins read them, send them to the queue
// again, or discard one that can never succeed. The list and the audit entries carry a short
// summary; the message itself only comes with one item. Retrying them all is
// POST /telemetry/dead-letter-retries, not …/dead-letters/retry: a static segment beside
// `:id` and `:id/retry` would cost the whole app Hono's RegExpRouter (routing.test.ts).
import { z } from "zod";
import type {
  AllDeadLettersRetried,
  DeadLetterPage,
  DeadLettersRetried,
} from "../../shared/api-types";
import { RETRY_ALL_CAP, retryAllDeadLetters, retryDeadLetter } from "./dead-letter-retry";
import {
  deadLetterDetail,
  deadLetterPage,
  deadLetterView,
  deleteDeadLetters,
  findDeadLetter,
} from "./dead-letter-store";
import { route } from "./route";
import { decodeTimeCursor, encodeTimeCursor } from "./time-cursor";

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const AUDIT = "telemetryDeadLetter";

export const telemetryRoutes = [
  route({
    method: "get",
    path: "/telemetry/dead-letters",
    summary:
      "Telemetry messages that could not be stored (dead letters), newest first, with the reason and how many are waiting",
    access: "log:read",
    query: ListQuery,
    async handler(c, { query }) {
      const cursor = query.cursor ? decodeTimeCursor(query.cursor) : undefined;
      const before = cursor && { failedAt: cursor.at, id: cursor.id };
      const { rows, total } = await deadLetterPage(
        c.env,
        c.get("user").orgId,
        query.limit + 1,
        before,
      );
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const answer: DeadLetterPage = {
        data: page.map(deadLetterView),
        nextCursor:
          rows.length > query.limit && last
            ? encodeTimeCursor({ at: last.failedAt, id: last.id })
            : null,
        total,
      };
      return c.json(answer);
    },
  }),
  route({
    method: "get",
    path: "/telemetry/dead-letters/:id",
    summary: "One dead letter with its message (ids and redacted payloads, never a secret)",
    access: "log:read",
    async handler(c) {
      const row = await findDeadLetter(c.env, c.get("user").orgId, c.req.param("id") ?? "");
      return c.json(deadLetterDetail(row));
    },
  }),
  route({
    method: "post",
    path: "/telemetry/dead-letters/:id/retry",
    summary:
      "Send one dead letter to the telemetry queue again; it is removed once the queue takes it (503 and kept if it refuses)",
    access: "telemetry:update",
    audit: { resource: AUDIT, action: "retry" },
    async handler(c) {
      const row = await findDeadLetter(c.env, c.get("user").orgId, c.req.param("id") ?? "");
      await retryDeadLetter(c.env, row);
      const answer: DeadLettersRetried = { retried: 1 };
      return c.json(answer, 202);
    },
  }),
  route({
    method: "post",
    path: "/telemetry/dead-letter-retries",
    summary: `Send every waiting dead letter to the telemetry queue again, oldest first (up to ${RETRY_ALL_CAP} per call; \`remaining\` says how many are left)`,
    access: "telemetry:update",
    audit: { resource: AUDIT, action: "retryAll" },
    async handler(c) {
      const answer: AllDeadLettersRetried = await retryAllDeadLetters(c.env, c.get("user").orgId);
      return c.json(answer, 202);
    },
  }),
  route({
    method: "delete",
    path: "/telemetry/dead-letters/:id",
    summary: "Discard a dead letter that can never be stored",
    access: "telemetry:update",
    audit: { resource: AUDIT, action: "delete" },
    // The audit entry keeps the summary, not the message.
    loadBefore: async (c) =>
      deadLetterView(await findDeadLetter(c.env, c.get("user").orgId, c.req.param("id") ?? "")),
    async handler(c) {
      const row = await findDeadLetter(c.env, c.get("user").orgId, c.req.param("id") ?? "");
      await deleteDeadLetters(c.env, [row.id]);
      return c.body(null, 204);
    },
  }),
];
