// /v1/anthropic[/<proxy-id>]/v1/{messages, messages/count_tokens, models}

import type { Context } from "hono";
import { Hono } from "hono";
import { modelAllowed } from "../../shared/model-match";
import type { AppEnv } from "../app-env";
import { config } from "../config";
import { capturesContent } from "../config-revision";
import { forbidden, GatewayError } from "../errors";
import { type Admitted, admitAtGates, limitHeaders } from "../limits/admit";
import { conversationIdOf, startTrace, type TraceContext } from "../telemetry/trace-context";
import { type Admission, AGENT_HEADER, admit } from "./admission";
import { BodyCapture, capturedCompletion, capturedPrompt } from "./captured-content";
import { ClientGoneError } from "./client-gone";
import { finishRequest, principalOf } from "./gate";
import { clientAddress, countIfKeyGuess, refuseIfKnownLocked } from "./key-guessing";
import {
  actualCharge,
  type Endpoint,
  logRow,
  type RequestFacts,
  type ResultFacts,
} from "./log-row";
import { BodyCutError, jsonBody, meteredStream } from "./metered-body";
import { pageOfAllowed, parseModelsQuery, readModelsPage } from "./models";
import { parseBody, readBody } from "./request-body";
import { spanFacts, type Timings, timingHeader } from "./request-trace";
import { callUpstream, clientHeaders, upstreamHeaders } from "./upstream";

type Ctx = Context<AppEnv>;
/** A request being proxied: what is known of it, what it reserved, and its trace. */
type Exchange = RequestFacts &
  Timings & {
    admitted?: Admitted;
    maxTokens?: number;
    trace: TraceContext;
    limitRefused?: boolean;
    /** While the organisation captures content: the request's bytes and the response's first. */
    capture?: { request: ArrayBuffer; response: BodyCapture; format: "sse" | "json" };
  };

export const proxyRoutes = new Hono<AppEnv>();

// Every proxied response says what the gateway added (Server-Timing). A response from the
// provider has it set with the provider's part beside it; any other (a refusal, an error) was
// the gateway's time alone.
proxyRoutes.use(async (c, next) => {
  const startedAt = Date.now();
  await next();
  if (!c.res.headers.has("server-timing")) {
    c.res.headers.set("server-timing", timingHeader(Date.now() - startedAt));
  }
});

for (const prefix of ["", "/:proxyId"]) {
  proxyRoutes.post(`${prefix}/v1/messages`, (c) => forwardJson(c, "messages"));
  proxyRoutes.post(`${prefix}/v1/messages/count_tokens`, (c) => forwardJson(c, "count_tokens"));
  proxyRoutes.get(`${prefix}/v1/models`, listModels);
}

function startFacts(c: Ctx, endpoint: Endpoint): Exchange {
  const trace = startTrace(c.req.raw.headers);
  return {
    requestId: c.get("requestId"),
    startedAt: Date.now(),
    endpoint,
    agentId: c.req.header(AGENT_HEADER) ?? null,
    model: null,
    streamed: false,
    trace,
    traceId: trace.traceId,
  };
}

/**
 * Sends the request's log row to the telemetry queue and settles its reservations, if any, to
 * the real figures (a request that failed settles at what it used, which releases the rest),
 * all off the response path.
 */
function record(c: Ctx, admission: Admission, facts: Exchange, result: Promise<ResultFacts>) {
  const settled = result.then((r) => {
    const admitted = facts.admitted;
    const row = logRow(admission, facts, r, admitted?.org);
    const captured = facts.capture;
    const span = spanFacts(facts, r, {
      upstreamUrl: admission.upstream.baseUrl,
      teamIds: (admission.standardKey ?? admission.passthroughKey)?.ownerTeamIds,
      limitDecision: facts.limitRefused ? "refused" : admitted?.gates.length ? "admitted" : "none",
      content: captured && {
        input: capturedPrompt(captured.request),
        output: capturedCompletion(captured.response.text(), captured.format),
      },
    });
    return finishRequest(c.env, principalOf(admission), row, span, {
      gates: admitted?.gates ?? [],
      timeZone: admitted?.timeZone ?? "UTC",
      actual: actualCharge(row),
    });
  });
  c.executionCtx.waitUntil(
    settled.catch((err: unknown) => {
      console.error(`[${facts.requestId}] could not settle: ${String(err)}`);
    }),
  );
}

/** Runs `step`; a refusal after admission is still logged before it reaches the client. */
async function logged<T>(
  c: Ctx,
  admission: Admission,
  facts: Exchange,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (err) {
    record(c, admission, facts, Promise.resolve({ ...failure(err), endedAt: Date.now() }));
    throw err;
  }
}

/** How a request that failed at the gateway is logged. */
function failure(err: unknown): Pick<ResultFacts, "status" | "errorType" | "clientGone"> {
  if (err instanceof ClientGoneError) {
    return { status: err.status, errorType: "client_gone", clientGone: true };
  }
  if (err instanceof GatewayError) return { status: err.status, errorType: err.type };
  return { status: 500, errorType: "api_error" };
}

/**
 * Admission behind the key-guessing guard (see key-guessing.ts): an address known to be locked
 * is refused before any lookup, and a request refused for its key is counted. A request with a
 * good key costs nothing extra.
 */
async function guardedAdmit(c: Ctx): Promise<Admission> {
  const headers = c.req.raw.headers;
  const address = clientAddress(headers);
  refuseIfKnownLocked(address);
  try {
    return await admit(c.env, headers, c.req.param("proxyId"), (work) =>
      c.executionCtx.waitUntil(work),
    );
  } catch (err) {
    // The guard failing must not turn a clean 401 into a 500.
    await countIfKeyGuess(c.env, address, headers, err).catch((guardErr: unknown) => {
      console.error(`[${c.get("requestId")}] key-guessing guard: ${String(guardErr)}`);
    });
    throw err;
  }
}

function upstreamUrl(c: Ctx, admission: Admission, path: string): string {
  const base = admission.upstream.baseUrl.replace(/\/+$/, "");
  return base + path + new URL(c.req.url).search;
}

async function forwardJson(c: Ctx, endpoint: "messages" | "count_tokens") {
  const facts = startFacts(c, endpoint);
  const cfg = config(c.env);
  const admission = await guardedAdmit(c);
  const bytes = await logged(c, admission, facts, async () => {
    const bytes = await readBody(c.req.raw, cfg.maxRequestBytes);
    const message = readMessage(endpoint, bytes);
    facts.model = message.model;
    facts.streamed = message.stream;
    facts.conversationId = conversationIdOf(c.req.raw.headers, message.metadataUserId);
    if (endpoint === "messages") facts.maxTokens = message.maxTokens;
    if (!modelAllowed(message.model, admission.proxy.allowedModels)) {
      throw forbidden(`The model '${message.model}' is not allowed on this LLM proxy.`);
    }
    // Only a Messages request spends: counting tokens is checked for revocation alone.
    const spends = endpoint === "messages" ? message : undefined;
    const waitUntil = (work: Promise<unknown>) => c.executionCtx.waitUntil(work);
    const [admitted, captures] = await Promise.all([
      admitAtGates(c.env, c.executionCtx, admission, facts.requestId, spends).catch(
        (err: unknown) => {
          facts.limitRefused = err instanceof GatewayError && [402, 429].includes(err.status);
          throw err;
        },
      ),
      endpoint === "messages" ? capturesContent(c.env, admission.orgId, waitUntil) : false,
    ]);
    facts.admitted = admitted;
    if (captures) {
      facts.capture = { request: bytes, response: new BodyCapture(), format: "json" };
    }
    return bytes;
  });

  const path = endpoint === "messages" ? "/v1/messages" : "/v1/messages/count_tokens";
  facts.upstreamStartedAt = Date.now();
  const call = await logged(c, admission, facts, () =>
    callUpstream(
      upstreamUrl(c, admission, path),
      {
        method: "POST",
        headers: upstreamHeaders(c.req.raw.headers, admission, facts.trace),
        body: bytes,
      },
      cfg.upstreamTimeoutMs,
      c.req.raw.signal,
    ),
  );
  facts.upstreamHeadersAt = Date.now();
  const upstream = call.response;
  const headers = clientHeaders(upstream.headers, facts.requestId);
  for (const [name, value] of Object.entries(limitHeaders(facts.admitted?.views ?? []))) {
    headers.set(name, value);
  }
  const upstreamRequestId = upstream.headers.get("request-id");
  if (!upstream.body) {
    headers.set("server-timing", timingHeader(gatewayTime(facts), facts));
    record(c, admission, facts, Promise.resolve({ status: upstream.status, endedAt: Date.now() }));
    return new Response(null, { status: upstream.status, headers });
  }
  const isSse = upstream.headers.get("content-type")?.startsWith("text/event-stream") === true;
  if (facts.capture) facts.capture.format = isSse ? "sse" : "json";
  const bodyOptions = {
    format: isSse ? "sse" : "json",
    startedAt: facts.startedAt,
    idleTimeoutMs: cfg.upstreamTimeoutMs,
    abortUpstream: call.abort,
    clientSignal: c.req.raw.signal,
    capture: facts.capture?.response,
  } as const;
  const { body, outcome } = isSse
    ? meteredStream(upstream.body, bodyOptions)
    : await jsonBody(upstream, bodyOptions).catch((err: unknown) => {
        if (err instanceof BodyCutError) {
          const { status, end: errorType, ttfbMs } = err;
          const endedAt = Date.now();
          record(c, admission, facts, Promise.resolve({ status, errorType, ttfbMs, endedAt }));
        }
        throw err;
      });
  const counted = endpoint === "messages";
  record(
    c,
    admission,
    facts,
    outcome.then((o) => ({
      status: upstream.status,
      errorType:
        o.errorType ?? (o.end === "complete" || o.end === "client_gone" ? undefined : o.end),
      usage: counted ? o.usage : undefined,
      model: o.model,
      ttfbMs: o.ttfbMs,
      endedAt: o.endedAt,
      clientGone: o.end === "client_gone",
      upstreamRequestId,
      messageId: o.messageId,
      stopReason: o.stopReason,
    })),
  );
  headers.set("server-timing", timingHeader(gatewayTime(facts), facts));
  return new Response(body, { status: upstream.status, headers });
}

/**
 * The gateway's own time so far: before the upstream call, and since its response headers.
 * Kept on the facts, so the log row and the spans report what the client was told.
 */
function gatewayTime(facts: Exchange): number {
  const { startedAt, upstreamStartedAt = startedAt, upstreamHeadersAt = Date.now() } = facts;
  facts.overheadMs = upstreamStartedAt - startedAt + (Date.now() - upstreamHeadersAt);
  return facts.overheadMs;
}

/** The fields of the body the gateway acts on, read without changing the body. */
function readMessage(endpoint: "messages" | "count_tokens", bytes: ArrayBuffer) {
  const body = parseBody(endpoint, bytes);
  const metadata = body.metadata;
  const metadataUserId =
    typeof metadata === "object" && metadata !== null && "user_id" in metadata
      ? metadata.user_id
      : undefined;
  return {
    model: body.model,
    stream: "stream" in body && body.stream === true,
    bodyBytes: bytes.byteLength,
    maxTokens: "max_tokens" in body && typeof body.max_tokens === "number" ? body.max_tokens : 0,
    metadataUserId,
  };
}

const MODEL_PAGES_MAX = 5;

async function listModels(c: Ctx) {
  const facts = startFacts(c, "models");
  const cfg = config(c.env);
  const admission = await guardedAdmit(c);
  const query = await logged(c, admission, facts, async () => {
    const query = parseModelsQuery(new URL(c.req.url).searchParams);
    facts.admitted = await admitAtGates(c.env, c.executionCtx, admission, facts.requestId);
    return query;
  });
  const base = admission.upstream.baseUrl.replace(/\/+$/, "");
  const headers = upstreamHeaders(c.req.raw.headers, admission, facts.trace);
  facts.upstreamStartedAt = Date.now();
  const models: { id: string }[] = [];
  let afterId: string | undefined;
  for (let page = 0; page < MODEL_PAGES_MAX; page++) {
    const search = new URLSearchParams({
      limit: "1000",
      ...(afterId ? { after_id: afterId } : {}),
    });
    const call = await logged(c, admission, facts, () =>
      callUpstream(
        `${base}/v1/models?${search}`,
        { method: "GET", headers },
        cfg.upstreamTimeoutMs,
        c.req.raw.signal,
      ),
    );
    const upstream = call.response;
    if (!upstream.ok) {
      // The provider's own refusal (a bad direct credential, say) reaches the client unchanged.
      record(
        c,
        admission,
        facts,
        Promise.resolve({ status: upstream.status, endedAt: Date.now() }),
      );
      return new Response(upstream.body, {
        status: upstream.status,
        headers: clientHeaders(upstream.headers, facts.requestId),
      });
    }
    const body = readModelsPage(await upstream.json().catch(() => undefined));
    if (!body) {
      const err = new GatewayError(502, "The provider's model list was not understood.");
      record(
        c,
        admission,
        facts,
        Promise.resolve({ status: 502, errorType: err.type, endedAt: Date.now() }),
      );
      throw err;
    }
    models.push(...body.data);
    if (!body.has_more || !body.last_id) break;
    afterId = body.last_id;
  }
  facts.upstreamHeadersAt = Date.now();
  const serverTiming = timingHeader(gatewayTime(facts), facts);
  record(c, admission, facts, Promise.resolve({ status: 200, endedAt: Date.now() }));
  return c.json(pageOfAllowed(models, admission.proxy.allowedModels, query), 200, {
    "x-gatehouse-request-id": facts.requestId,
    "server-timing": serverTiming,
  });
}
