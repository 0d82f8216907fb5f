// /v1/mcp/<slug>: the MCP Streamable HTTP endpoint of a gateway. Every request is checked
// here before any MCP work: Origin, the gateway, the OAuth token for exactly this gateway
// (workers/oauth/resource.ts), and whether the user may still use the gateway. Then the
// session's Durable Object answers: POST (JSON, or SSE when a tool call may send progress),
// GET (the server-to-client SSE stream), DELETE (end the session).
import { type Context, Hono } from "hono";
import { randomBytes, toBase64Url } from "../../shared/encoding";
import type { AppEnv } from "../app-env";
import type { McpTokenAuth } from "../oauth/resource";
import { withMcpToken } from "../oauth/resource";
import { publicOrigin } from "../public-origin";
import { conversationIdOf, startTrace } from "../telemetry/trace-context";
import { gatewayAccess } from "./gateway-access";
import { type GatewayConfig, gatewayBySlug } from "./gateway-cache";
import {
  INVALID_REQUEST,
  PARSE_ERROR,
  type RpcRequest,
  RpcRequestSchema,
  rpcError,
} from "./json-rpc";
import { classify } from "./messages";
import { SUPPORTED_PROTOCOL_VERSIONS } from "./protocol";
import type { SessionContext } from "./session-context";
import { upstreamHeaders } from "./upstream-auth";

type Ctx = Context<AppEnv>;

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SESSION_ID = /^[A-Za-z0-9_-]{20,128}$/;
export const SESSION_NOT_FOUND = -32001;

export const mcpRoutes = new Hono<AppEnv>();

function rpcHttpError(status: number, code: number, message: string, headers?: HeadersInit) {
  return Response.json(rpcError(null, { code, message }), { status, headers });
}

/** Browsers send Origin; only the gateway's own origin may drive it (DNS rebinding guard). */
function originAllowed(c: Ctx): boolean {
  const origin = c.req.header("origin");
  if (!origin) return true;
  return origin === publicOrigin(c) || origin === new URL(c.req.url).origin;
}

async function sessionContext(
  c: Ctx,
  gateway: GatewayConfig,
  auth: McpTokenAuth,
  sessionId: string,
): Promise<SessionContext> {
  const servers = await Promise.all(
    gateway.servers.map(async (s) => ({
      id: s.id,
      name: s.name,
      url: s.url,
      headers: await upstreamHeaders(c.env, s),
      timeoutMs: s.timeoutMs,
      version: s.updatedAt,
    })),
  );
  return {
    sessionId,
    userId: auth.userId,
    orgId: gateway.orgId,
    clientId: auth.clientId,
    clientName: auth.clientName,
    gatewayId: gateway.id,
    gatewaySlug: gateway.slug,
    gatewayName: gateway.name,
    servers,
    disabledTools: [...gateway.disabledTools],
    logPayloads: gateway.logPayloads,
    trace: startTrace(c.req.raw.headers),
    conversationId: conversationIdOf(c.req.raw.headers),
    protocolVersion: c.req.header("mcp-protocol-version"),
  };
}

function session(c: Ctx, id: string) {
  return c.env.MCP_SESSION.get(c.env.MCP_SESSION.idFromName(id));
}

function sessionIdOf(c: Ctx): string | Response {
  const id = c.req.header("mcp-session-id");
  if (!id) {
    return rpcHttpError(
      400,
      INVALID_REQUEST,
      "Bad Request: the Mcp-Session-Id header is required. Send initialize first.",
    );
  }
  if (!SESSION_ID.test(id)) return sessionNotFound();
  return id;
}

mcpRoutes.all("/:slug", async (c) => {
  if (!originAllowed(c)) {
    return rpcHttpError(
      403,
      INVALID_REQUEST,
      "Forbidden: this Origin may not use the MCP gateway.",
    );
  }
  const method = c.req.method;
  if (method !== "POST" && method !== "GET" && method !== "DELETE") {
    return rpcHttpError(405, INVALID_REQUEST, "Method not allowed.", {
      allow: "GET, POST, DELETE",
    });
  }
  const version = c.req.header("mcp-protocol-version");
  if (version && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    return rpcHttpError(
      400,
      INVALID_REQUEST,
      `Bad Request: unsupported MCP-Protocol-Version "${version}". Supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")}.`,
    );
  }
  const slug = c.req.param("slug");
  const gateway = await gatewayBySlug(c.env, slug);
  if (!gateway)
    return rpcHttpError(404, INVALID_REQUEST, "There is no MCP gateway at this address.");
  return withMcpToken(c, slug, async (auth) => {
    if (auth.gatewayId !== gateway.id) {
      // The slug was deleted and given to a new gateway: this grant was for the old one.
      return rpcHttpError(
        403,
        INVALID_REQUEST,
        "This authorization was for an earlier gateway at this address. Connect again.",
      );
    }
    const access = await gatewayAccess(c.env, gateway.id, auth.userId);
    if (!access.ok) return rpcHttpError(403, INVALID_REQUEST, access.reason);
    if (method === "POST") return post(c, gateway, auth);
    const id = sessionIdOf(c);
    if (id instanceof Response) return id;
    const ctx = await sessionContext(c, gateway, auth, id);
    if (method === "DELETE") {
      const ended = await session(c, id).end(ctx);
      return ended ? new Response(null, { status: 204 }) : sessionNotFound();
    }
    return openStream(c, ctx);
  });
});

async function readBody(c: Ctx): Promise<string | Response> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES)
    return rpcHttpError(413, INVALID_REQUEST, "Request body too large.");
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES)
    return rpcHttpError(413, INVALID_REQUEST, "Request body too large.");
  return text;
}

async function post(c: Ctx, gateway: GatewayConfig, auth: McpTokenAuth): Promise<Response> {
  const text = await readBody(c);
  if (text instanceof Response) return text;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return rpcHttpError(400, PARSE_ERROR, "Parse error: the body is not JSON.");
  }
  const batch = Array.isArray(body);
  const { requests, invalid, initialize } = classify(batch ? (body as unknown[]) : [body]);
  if (initialize) {
    if (batch && (body as unknown[]).length > 1) {
      return rpcHttpError(
        400,
        INVALID_REQUEST,
        "Invalid Request: initialize must be sent on its own.",
      );
    }
    const parsed = RpcRequestSchema.safeParse(initialize);
    if (!parsed.success)
      return rpcHttpError(400, INVALID_REQUEST, "Invalid Request: malformed initialize.");
    const id = toBase64Url(randomBytes(24));
    const ctx = await sessionContext(c, gateway, auth, id);
    const answer = await session(c, id).open(ctx, parsed.data);
    return Response.json(answer, { headers: { "mcp-session-id": id } });
  }
  const id = sessionIdOf(c);
  if (id instanceof Response) return id;
  const ctx = await sessionContext(c, gateway, auth, id);
  const stub = session(c, id);
  const accept = c.req.header("accept") ?? "";
  if (accept.includes("text/event-stream") && requests.some((r) => r.method === "tools/call")) {
    if ((await stub.resume(ctx)) === null) return sessionNotFound();
    return streamAnswers(c, stub, ctx, requests, invalid);
  }
  const answered = await stub.answerAll(ctx, requests);
  if (answered === null) return sessionNotFound();
  if (requests.length === 0 && invalid.length === 0) return new Response(null, { status: 202 });
  const answers = [...invalid, ...answered];
  if (!batch && answers.length === 1) {
    return Response.json(answers[0], { status: requests.length === 0 ? 400 : 200 });
  }
  return Response.json(answers);
}

function sessionNotFound(): Response {
  return rpcHttpError(404, SESSION_NOT_FOUND, "Session not found.");
}

type SessionStub = ReturnType<typeof session>;

/** Answers as an SSE stream: notifications the upstream sends on the way, then the answers. */
function streamAnswers(
  c: Ctx,
  stub: SessionStub,
  ctx: SessionContext,
  requests: RpcRequest[],
  invalid: unknown[],
): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const send = (message: unknown) =>
    writer
      .write(encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`))
      .catch(() => undefined);
  const work = (async () => {
    for (const message of invalid) await send(message);
    await Promise.all(
      requests.map(async (request) => {
        const answer = await stub.answer(ctx, { request, onNotification: (n) => void send(n) });
        await send(answer);
      }),
    );
  })()
    .catch(() => undefined)
    .finally(() => writer.close().catch(() => undefined));
  c.executionCtx.waitUntil(work);
  return new Response(readable, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

async function openStream(c: Ctx, ctx: SessionContext): Promise<Response> {
  const accept = c.req.header("accept") ?? "";
  if (!accept.includes("text/event-stream")) {
    return rpcHttpError(
      406,
      INVALID_REQUEST,
      "Not Acceptable: GET opens an SSE stream; accept text/event-stream.",
    );
  }
  const stub = session(c, ctx.sessionId);
  if ((await stub.resume(ctx)) === null) return sessionNotFound();
  const stream = await stub.stream(ctx);
  return new Response(stream, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}
