// Properties of the gateway's JSON-RPC reading: every message a client posts is sorted exactly
// as JSON-RPC 2.0 says (request, notification or response, initialize, or an Invalid Request
// answer echoing a usable id), whatever it holds; and the messages of an SSE stream come out
// the same however the stream is cut.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunksOf, utf8 } from "../../test/arbitraries";
import { INVALID_REQUEST, RpcResponseSchema } from "./json-rpc";
import { classify } from "./messages";
import { sseMessages } from "./sse-messages";

type Kind = "request" | "accepted" | "initialize" | "invalid";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown) => typeof v === "string" || Number.isSafeInteger(v);

/** What JSON-RPC 2.0 (as MCP uses it) makes of one message, written from the spec. */
function kindOf(m: unknown): Kind {
  if (!isObject(m)) return "invalid";
  if (m.method === "initialize") return "initialize";
  if (m.jsonrpc !== "2.0") return "invalid";
  const hasId = Object.hasOwn(m, "id");
  const params = m.params === undefined || isObject(m.params);
  if (hasId && isId(m.id) && typeof m.method === "string" && m.method !== "" && params) {
    return "request";
  }
  if (!hasId && typeof m.method === "string") return "accepted";
  if (hasId && (Object.hasOwn(m, "result") || Object.hasOwn(m, "error"))) return "accepted";
  return "invalid";
}

function isResponse(m: unknown): boolean {
  if (!isObject(m) || m.jsonrpc !== "2.0") return false;
  if (isId(m.id) && isObject(m.result)) return true;
  const e = m.error;
  return (
    (m.id === null || isId(m.id)) &&
    isObject(e) &&
    typeof e.code === "number" &&
    typeof e.message === "string"
  );
}

const id = fc.oneof(fc.string({ maxLength: 8 }), fc.integer());
const params = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), {
  maxKeys: 4,
});
const method = fc.constantFrom("tools/list", "tools/call", "ping", "notifications/initialized");

// Well-formed messages of every kind, and near misses: each field wrong in each way.
const wellFormed = fc.oneof(
  fc.record(
    { jsonrpc: fc.constant("2.0"), id, method, params },
    { requiredKeys: ["jsonrpc", "id", "method"] },
  ),
  fc.record(
    { jsonrpc: fc.constant("2.0"), method, params },
    { requiredKeys: ["jsonrpc", "method"] },
  ),
  fc.record({ jsonrpc: fc.constant("2.0"), id, result: params }),
  fc.record({
    jsonrpc: fc.constant("2.0"),
    id: fc.oneof(id, fc.constant(null)),
    error: fc.oneof(
      fc.record({ code: fc.integer(), message: fc.string({ maxLength: 10 }) }),
      // An error object missing a member, or with one of the wrong type.
      fc.record(
        { code: fc.oneof(fc.integer(), fc.string()), message: fc.oneof(fc.string(), fc.integer()) },
        { requiredKeys: [] },
      ),
    ),
  }),
);
const wrong = fc.constantFrom<unknown>(
  undefined,
  null,
  "",
  "2.0",
  2,
  1.5,
  2 ** 60,
  -0,
  true,
  [],
  {},
  ["x"],
  { a: 1 },
);
const nearMiss = fc
  .tuple(wellFormed, fc.constantFrom("jsonrpc", "id", "method", "params", "result", "error"), wrong)
  .map(([m, field, value]) => {
    const copy: Record<string, unknown> = { ...m };
    if (value === undefined) delete copy[field];
    else copy[field] = value;
    return copy;
  });
const message = fc.oneof(
  { weight: 3, arbitrary: wellFormed },
  { weight: 3, arbitrary: nearMiss },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.record({ jsonrpc: fc.constant("2.0"), id, method: fc.constant("initialize") }),
  },
);

describe("JSON-RPC message sorting (properties)", () => {
  it("sorts each message as JSON-RPC 2.0 says, and never throws", () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 8 }), (messages) => {
        // What the gateway sees is what JSON.parse gives: no undefined, no -0.
        const posted: unknown[] = JSON.parse(JSON.stringify(messages));
        const sorted = classify(posted);
        const kinds = posted.map(kindOf);
        // A request is handed on with its own members only.
        const requests = posted
          .filter((_, i) => kinds[i] === "request")
          .map((m) => {
            const { jsonrpc, id, method, params } = m as Record<string, unknown>;
            return { jsonrpc, id, method, ...(params !== undefined && { params }) };
          });
        expect(sorted.requests).toEqual(requests);
        const invalid = posted.filter((_, i) => kinds[i] === "invalid");
        expect(sorted.invalid.map((e) => e.id)).toEqual(
          invalid.map((m) => (isObject(m) && isId(m.id) ? m.id : null)),
        );
        for (const answer of sorted.invalid) {
          expect(answer).toMatchObject({ jsonrpc: "2.0", error: { code: INVALID_REQUEST } });
        }
        const initialize = posted.filter((_, i) => kinds[i] === "initialize");
        expect(sorted.initialize).toEqual(initialize.at(-1));
      }),
      { numRuns: 500 },
    );
  });

  it("reads an upstream's message as an answer exactly when it is a JSON-RPC response", () => {
    fc.assert(
      fc.property(message, (m) => {
        const received: unknown = JSON.parse(JSON.stringify(m));
        const parsed = RpcResponseSchema.safeParse(received);
        expect(parsed.success).toBe(isResponse(received));
        if (!parsed.success) return;
        const r = parsed.data;
        expect(r.jsonrpc).toBe("2.0");
        if ("result" in r) {
          expect(isId(r.id) && isObject(r.result)).toBe(true);
        } else {
          expect(r.id === null || isId(r.id)).toBe(true);
          expect(typeof r.error.code === "number" && typeof r.error.message === "string").toBe(
            true,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it("gives the same messages from an SSE stream however it is cut, pretty-printed or not", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .tuple(fc.array(message, { maxLength: 5 }), fc.boolean(), fc.constantFrom("\n", "\r\n"))
          .chain(([messages, pretty, nl]) => {
            const posted: unknown[] = JSON.parse(JSON.stringify(messages));
            const text = posted
              .map((m) => {
                // Pretty-printed JSON spans lines: one `data:` line each, joined back by "\n".
                const lines = JSON.stringify(m, null, pretty ? 2 : undefined).split("\n");
                return `event: message${nl}${lines.map((l) => `data: ${l}${nl}`).join("")}${nl}`;
              })
              // Comments and events of other types carry no message.
              .join(`: keep-alive${nl}${nl}event: ping${nl}data: {}${nl}${nl}`);
            return fc.tuple(fc.constant(posted), chunksOf(utf8(text)));
          }),
        async ([posted, chunks]) => {
          const body = new ReadableStream<Uint8Array>({
            start(controller) {
              for (const chunk of chunks) controller.enqueue(chunk);
              controller.close();
            },
          });
          const read: unknown[] = [];
          for await (const m of sseMessages(body)) read.push(m);
          expect(read).toEqual(posted);
        },
      ),
      { numRuns: 200 },
    );
  });
});
