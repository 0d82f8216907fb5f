// The small Workers of `npm run bench:breakdown` (bench/breakdown.mjs), one module for the
// first three rungs of its ladder, chosen by the HOPS binding:
//   0: a bare pass-through: read the request body, fetch the upstream with the client's
//      method, headers and body, return the upstream's response as it is;
//   1: the same after one RPC to a Durable Object that does nothing (the cost of the gate hop);
//   2: the same after two such RPCs in parallel, to two Durable Object classes (the user's gate
//      and a LimitGate, as when a limit outside the user's gate applies).
// With JS_STREAM "1", the upstream's body reaches the client through a JavaScript stream that
// reads each chunk and hands it on (as Gatehouse passes SSE on), instead of natively.
// The RPCs carry what Gatehouse's gate calls carry (a request id, key ids, empty rules) and
// answer what an admitting gate answers. The DOs are configured as bench/workerd-host.mjs
// configures Gatehouse's, and named the same every time, so each call reaches one warm
// object as a user's requests reach theirs.
import { DurableObject } from "cloudflare:workers";

/**
 * @typedef {object} LadderEnv
 * @property {string} UPSTREAM The fake upstream's origin.
 * @property {string} HOPS "0", "1" or "2".
 * @property {string} [JS_STREAM] "1": the response body goes through a JavaScript stream.
 * @property {any} [GATE] Durable Object namespace of NopGate.
 * @property {any} [LIMIT_GATE] Durable Object namespace of NopLimitGate.
 */

const ADMITTED = Object.freeze({ ok: true, views: [] });

/** Stands for the user's gate: admits everything, touches nothing. */
export class NopGate extends DurableObject {
  /** @param {{ requestId: string, keyIds: string[] }} _request */
  admit(_request) {
    return ADMITTED;
  }
}

/** Stands for a LimitGate: reserves nothing. */
export class NopLimitGate extends DurableObject {
  /** @param {{ requestId: string, rules: unknown[] }} _request */
  reserve(_request) {
    return ADMITTED;
  }
}

export default {
  /** @param {Request} request @param {LadderEnv} env */
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return new Response("ok");
    const hops = Number(env.HOPS);
    if (hops > 0) {
      const requestId = crypto.randomUUID();
      const worstCase = { cost: 0, tokens: 0, requests: 1 };
      const calls = [
        env.GATE.get(env.GATE.idFromName("user:bench")).admit({
          requestId,
          keyIds: ["standard", "passthrough"],
          limits: { rules: [], worstCase, timeZone: "UTC" },
        }),
      ];
      if (hops > 1) {
        calls.push(
          env.LIMIT_GATE.get(env.LIMIT_GATE.idFromName("proxy:bench")).reserve({
            requestId,
            rules: [],
            worstCase,
            timeZone: "UTC",
          }),
        );
      }
      await Promise.all(calls);
    }
    // The body is read whole before the fetch, as Gatehouse reads it (it parses it).
    const body = await request.arrayBuffer();
    const upstream = await fetch(env.UPSTREAM + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body,
    });
    if (env.JS_STREAM !== "1" || !upstream.body) return upstream;
    return new Response(passedOn(upstream.body), upstream);
  },
};

/**
 * The body handed on chunk by chunk by JavaScript, pulled as the client reads, with nothing
 * else done to it: what passing a stream through the Worker's own code costs.
 * @param {ReadableStream<Uint8Array>} body
 */
function passedOn(body) {
  const reader = body.getReader();
  return new ReadableStream(
    {
      async pull(controller) {
        const chunk = await reader.read();
        if (chunk.done) controller.close();
        else controller.enqueue(chunk.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
