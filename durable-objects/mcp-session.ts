// One MCP session (Mcp-Session-Id) of one user at one gateway. It holds what must outlive a
// request: the negotiated protocol version, the upstream sessions it opened for the client
// (persisted, so an evicted object resumes them), the merged tool lists, and the client's
// server-to-client SSE streams, to which it passes the upstreams' list_changed notifications.
// Idle sessions end after IDLE_MS; a request for an ended or unknown session gets 404, so the
// client re-initializes. Each tool call's log row leaves through the telemetry queue.
import { DurableObject } from "cloudflare:workers";
import type { McpToolCall } from "../d1/schema";
import { toolCallRow, toolCallSpan } from "../workers/mcp/call-log";
import type { CallOutcome } from "../workers/mcp/call-tool";
import { Catalog, type ListKind } from "../workers/mcp/catalog";
import { dispatch, type Runtime } from "../workers/mcp/dispatch";
import {
  RpcFault,
  type RpcNotification,
  type RpcRequest,
  rpcError,
  rpcResult,
} from "../workers/mcp/json-rpc";
import { negotiateVersion } from "../workers/mcp/protocol";
import { serverInfo } from "../workers/mcp/server-info";
import type { SessionContext, UpstreamServer } from "../workers/mcp/session-context";
import { UpstreamConnection, type UpstreamState } from "../workers/mcp/upstream-client";
import { listenUpstream } from "../workers/mcp/upstream-listen";
import { toolCallMessage } from "../workers/telemetry/message";
import { sendTelemetry } from "../workers/telemetry/send";

export const IDLE_MS = 60 * 60_000;
const META = "meta";
const UPSTREAM_PREFIX = "upstream:";
/** Where an earlier version kept log rows D1 had refused. */
const LEGACY_LOG_PREFIX = "log:";
const LOG_RETRY_MS = 30_000;
/** A comment on open client streams this often, so idle proxies do not cut them. */
const KEEP_ALIVE_MS = 25_000;

type SavedUpstream = UpstreamState & { version: number };

interface SessionMeta {
  userId: string;
  gatewayId: string;
  protocolVersion: string;
  createdAt: number;
  lastSeenAt: number;
}

const LIST_CHANGED: Record<string, ListKind[]> = {
  "notifications/tools/list_changed": ["tools"],
  "notifications/prompts/list_changed": ["prompts"],
  "notifications/resources/list_changed": ["resources", "resourceTemplates"],
};

/** Messages the client gets per request: the answer, plus notifications if it streams. */
export interface Exchange {
  request: RpcRequest;
  /** Called with notifications to pass on while the request runs (SSE answers only). */
  onNotification?: (n: RpcNotification) => void;
}

export class McpSession extends DurableObject<Env> {
  #meta: SessionMeta | null | undefined;
  readonly #connections = new Map<string, { version: number; connection: UpstreamConnection }>();
  readonly #catalog = new Catalog((server) => this.#connection(server));
  readonly #streams = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  #listening: AbortController | null = null;
  #keepAlive: ReturnType<typeof setInterval> | null = null;
  /** What was last written for each upstream session, to skip writes that change nothing. */
  readonly #persisted = new Map<string, string>();
  /** Upstream sessions saved before an eviction, by server id, until reconnected. */
  #saved = new Map<string, SavedUpstream>();

  async #loadMeta(): Promise<SessionMeta | null> {
    if (this.#meta !== undefined) return this.#meta;
    const [meta, saved] = await Promise.all([
      this.ctx.storage.get<SessionMeta>(META),
      this.ctx.storage.list<SavedUpstream>({ prefix: UPSTREAM_PREFIX }),
    ]);
    this.#meta = meta ?? null;
    for (const [key, value] of saved) this.#saved.set(key.slice(UPSTREAM_PREFIX.length), value);
    return this.#meta;
  }

  /** Starts the session: answers `initialize` and remembers who it belongs to. */
  async open(ctx: SessionContext, request: RpcRequest): Promise<unknown> {
    const now = Date.now();
    const protocolVersion = negotiateVersion(request.params?.protocolVersion);
    this.#meta = {
      userId: ctx.userId,
      gatewayId: ctx.gatewayId,
      protocolVersion,
      createdAt: now,
      lastSeenAt: now,
    };
    await this.ctx.storage.put(META, this.#meta);
    await this.ctx.storage.setAlarm(now + IDLE_MS);
    return rpcResult(request.id, serverInfo(ctx, protocolVersion));
  }

  /**
   * The session's protocol version if it exists and belongs to this user and gateway (else
   * null: the endpoint answers 404). Marks it as used.
   */
  async resume(ctx: SessionContext): Promise<string | null> {
    const meta = await this.#loadMeta();
    if (!meta || meta.userId !== ctx.userId || meta.gatewayId !== ctx.gatewayId) return null;
    const now = Date.now();
    if (now - meta.lastSeenAt > 60_000) {
      meta.lastSeenAt = now;
      await this.ctx.storage.put(META, meta);
      await this.ctx.storage.setAlarm(now + IDLE_MS);
    }
    return meta.protocolVersion;
  }

  /** Answers one request (resume() first). Errors become JSON-RPC error responses. */
  async answer(ctx: SessionContext, exchange: Exchange): Promise<unknown> {
    const { request } = exchange;
    const rt: Runtime = {
      ctx,
      catalog: this.#catalog,
      connection: (server) => this.#connection(server),
      relay: (n, serverId) => this.#relay(n, serverId, exchange.onNotification),
      logCall: (call) => this.#logCall(ctx, call),
    };
    try {
      return rpcResult(request.id, await dispatch(rt, request));
    } catch (err) {
      if (err instanceof RpcFault) return rpcError(request.id, err.body());
      console.error("mcp session: unexpected error", err instanceof Error ? err.message : "");
      return rpcError(request.id, { code: -32603, message: "Internal error in the gateway." });
    } finally {
      await this.#persistUpstreams();
    }
  }

  /**
   * Resumes the session and answers its requests in one call (the JSON path: one RPC per
   * POST). Null when the session does not exist for this user and gateway.
   */
  async answerAll(ctx: SessionContext, requests: RpcRequest[]): Promise<unknown[] | null> {
    if ((await this.resume(ctx)) === null) return null;
    return Promise.all(requests.map((request) => this.answer(ctx, { request })));
  }

  /** The client's GET stream: server-to-client notifications, kept open until it leaves. */
  async stream(ctx: SessionContext): Promise<ReadableStream<Uint8Array>> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    this.#streams.add(writer);
    writer.closed.finally(() => this.#dropStream(writer)).catch(() => undefined);
    writer.write(new TextEncoder().encode(": gatehouse\n\n")).catch(() => this.#dropStream(writer));
    this.#keepAlive ??= setInterval(() => this.#comment("keep-alive"), KEEP_ALIVE_MS);
    this.#listen(ctx);
    return readable;
  }

  /** DELETE: ends the session and the upstream sessions it opened. */
  async end(ctx: SessionContext): Promise<boolean> {
    const meta = await this.#loadMeta();
    if (!meta || meta.userId !== ctx.userId || meta.gatewayId !== ctx.gatewayId) return false;
    await this.#close();
    return true;
  }

  override async alarm(): Promise<void> {
    await this.#requeueLegacyLogs();
    // Storage is the truth here (it is what survives an eviction).
    const meta = (await this.ctx.storage.get<SessionMeta>(META)) ?? null;
    if (!meta) return;
    const idleUntil = meta.lastSeenAt + IDLE_MS;
    if (Date.now() >= idleUntil && this.#streams.size === 0) {
      await this.#close();
      return;
    }
    await this.ctx.storage.setAlarm(Math.max(idleUntil, Date.now() + 60_000));
  }

  async #close() {
    this.#listening?.abort();
    this.#listening = null;
    for (const w of this.#streams) w.close().catch(() => undefined);
    this.#streams.clear();
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#keepAlive = null;
    await Promise.all([...this.#connections.values()].map(({ connection }) => connection.close()));
    this.#connections.clear();
    const pending = await this.ctx.storage.list({ prefix: LEGACY_LOG_PREFIX });
    await this.ctx.storage.deleteAll();
    this.#meta = null;
    if (pending.size > 0) {
      // Keep unsent log rows: they outlive the session.
      await this.ctx.storage.put(Object.fromEntries(pending));
      await this.ctx.storage.setAlarm(Date.now() + LOG_RETRY_MS);
    }
  }

  #connection(server: UpstreamServer): UpstreamConnection {
    const known = this.#connections.get(server.id);
    if (known && known.version === server.version) return known.connection;
    // Resume the upstream session this object opened before it was evicted, if any.
    const saved = this.#saved.get(server.id);
    this.#saved.delete(server.id);
    const connection = new UpstreamConnection(
      { url: server.url, headers: server.headers, timeoutMs: server.timeoutMs },
      saved && saved.version === server.version
        ? { sessionId: saved.sessionId, protocolVersion: saved.protocolVersion }
        : undefined,
    );
    this.#connections.set(server.id, { version: server.version, connection });
    return connection;
  }

  /** Saves the upstream sessions that changed since they were last saved (most requests: none). */
  async #persistUpstreams() {
    const entries: Record<string, SavedUpstream> = {};
    for (const [id, { version, connection }] of this.#connections) {
      const saved: SavedUpstream = { ...connection.state, version };
      const key = `${saved.sessionId}|${saved.protocolVersion}|${version}`;
      if (this.#persisted.get(id) === key) continue;
      this.#persisted.set(id, key);
      entries[`${UPSTREAM_PREFIX}${id}`] = saved;
    }
    if (Object.keys(entries).length > 0 && this.#meta) await this.ctx.storage.put(entries);
  }

  #relay(n: RpcNotification, serverId: string, inBand?: (n: RpcNotification) => void) {
    const kinds = LIST_CHANGED[n.method];
    if (kinds) {
      for (const kind of kinds) this.#catalog.invalidate(kind, serverId);
      this.#broadcast({ jsonrpc: "2.0", method: n.method });
      return;
    }
    // Progress and log messages belong to the request that caused them; a log message that
    // came on an upstream's own stream goes to the client's.
    if (inBand) inBand(n);
    else if (n.method === "notifications/message") this.#broadcast(n);
  }

  #broadcast(message: object) {
    const bytes = new TextEncoder().encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    for (const writer of this.#streams) writer.write(bytes).catch(() => this.#dropStream(writer));
  }

  #comment(text: string) {
    const bytes = new TextEncoder().encode(`: ${text}\n\n`);
    for (const writer of this.#streams) writer.write(bytes).catch(() => this.#dropStream(writer));
  }

  #dropStream(writer: WritableStreamDefaultWriter<Uint8Array>) {
    this.#streams.delete(writer);
    if (this.#streams.size === 0) {
      this.#listening?.abort();
      this.#listening = null;
      if (this.#keepAlive) clearInterval(this.#keepAlive);
      this.#keepAlive = null;
    }
  }

  /** While a client stream is open, listen to every upstream's own stream for list changes. */
  #listen(ctx: SessionContext) {
    if (this.#listening) return;
    const controller = new AbortController();
    this.#listening = controller;
    for (const server of ctx.servers) {
      const connection = this.#connection(server);
      listenUpstream(connection, (n) => this.#relay(n, server.id), controller.signal)
        .then(() => this.#persistUpstreams())
        .catch(() => undefined);
    }
  }

  #logCall(ctx: SessionContext, call: CallOutcome) {
    const row = toolCallRow(ctx, call);
    const span = toolCallSpan(ctx, call);
    this.ctx.waitUntil(sendTelemetry(this.env, toolCallMessage(row, span), `user:${ctx.userId}`));
  }

  /** Log rows an earlier version kept here go through the telemetry queue. */
  async #requeueLegacyLogs() {
    for (;;) {
      const pending = await this.ctx.storage.list<McpToolCall>({
        prefix: LEGACY_LOG_PREFIX,
        limit: 50,
      });
      if (pending.size === 0) return;
      const messages = [...pending.values()].map((row) =>
        toolCallMessage(row, { startedAt: row.at, endedAt: row.at + row.durationMs }),
      );
      try {
        await this.env.TELEMETRY.sendBatch(messages.map((body) => ({ body, contentType: "json" })));
      } catch {
        await this.ctx.storage.setAlarm(Date.now() + LOG_RETRY_MS);
        return;
      }
      await this.ctx.storage.delete([...pending.keys()]);
    }
  }
}
