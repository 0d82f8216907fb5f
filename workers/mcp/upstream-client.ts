// The gateway as an MCP client of one upstream server (Streamable HTTP): initialize, requests
// answered as JSON or as an SSE stream, notifications passed to the caller, the upstream's
// session id kept (and renewed once when the upstream forgets it), a timeout on everything.
// Failures are UpstreamError with a message a person can act on; an upstream's own JSON-RPC
// error is UpstreamRpcError, so it can be handed to the client as it is.
import {
  type RpcId,
  type RpcNotification,
  RpcNotificationSchema,
  RpcResponseSchema,
  type RpcResult,
} from "./json-rpc";
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from "./protocol";
import { sseMessages } from "./sse-messages";

export interface UpstreamTarget {
  url: string;
  /** Credentials and other headers the gateway adds (never the client's). */
  headers: Record<string, string>;
  timeoutMs: number;
}

/** What survives between requests (kept in the session Durable Object). */
export interface UpstreamState {
  sessionId: string | null;
  protocolVersion: string | null;
}

export type UpstreamFailure = "timeout" | "http" | "protocol" | "network";

export class UpstreamError extends Error {
  constructor(
    readonly failure: UpstreamFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The upstream answered with a JSON-RPC error. */
export class UpstreamRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Notifications the upstream sends while answering (progress, logging, list_changed). */
  onNotification?: (n: RpcNotification) => void;
  signal?: AbortSignal;
  /** W3C trace context for the upstream: the gateway's CLIENT span as the parent. */
  traceparent?: string;
}

const CLIENT_INFO = { name: "gatehouse-mcp-gateway", version: "0.1.0" };

export class UpstreamConnection {
  #nextId = 1;
  #initializing: Promise<void> | null = null;

  constructor(
    readonly target: UpstreamTarget,
    readonly state: UpstreamState = { sessionId: null, protocolVersion: null },
  ) {}

  /** Sends a request, initializing the upstream session first if there is none. */
  async request(method: string, params: object | undefined, opts: RequestOptions = {}) {
    await this.#ensureSession(opts);
    try {
      return await this.#post(method, params, opts);
    } catch (err) {
      // 404 on a known session: the upstream forgot it. Start a new one once and retry.
      if (err instanceof SessionGone) {
        this.state.sessionId = null;
        this.state.protocolVersion = null;
        await this.#ensureSession(opts);
        return this.#post(method, params, opts);
      }
      throw err;
    }
  }

  /** Ends the upstream session (best effort). */
  async close(): Promise<void> {
    if (!this.state.sessionId) return;
    const headers = this.headers();
    this.state.sessionId = null;
    await fetch(this.target.url, {
      method: "DELETE",
      headers,
      signal: AbortSignal.timeout(2000),
    })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
  }

  async #ensureSession(opts: RequestOptions) {
    if (this.state.protocolVersion) return;
    this.#initializing ??= this.#initialize(opts).finally(() => {
      this.#initializing = null;
    });
    await this.#initializing;
  }

  async #initialize(opts: RequestOptions) {
    this.state.sessionId = null;
    const result = await this.#post(
      "initialize",
      { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
      opts,
    );
    const version = typeof result.protocolVersion === "string" ? result.protocolVersion : "";
    if (!SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      throw new UpstreamError(
        "protocol",
        `The upstream server speaks MCP protocol version "${version}", which the gateway does not support.`,
      );
    }
    this.state.protocolVersion = version;
    await this.#notify("notifications/initialized", opts);
  }

  /** The headers of a request in this upstream session: credentials, session id, version. */
  headers(): Headers {
    const headers = new Headers(this.target.headers);
    headers.set("accept", "application/json, text/event-stream");
    headers.set("content-type", "application/json");
    if (this.state.sessionId) headers.set("mcp-session-id", this.state.sessionId);
    if (this.state.protocolVersion) headers.set("mcp-protocol-version", this.state.protocolVersion);
    return headers;
  }

  async #notify(method: string, opts: RequestOptions) {
    const res = await this.#fetch({ jsonrpc: "2.0", method }, opts);
    await res.body?.cancel();
    if (!res.ok) throw httpError(res.status);
  }

  async #fetch(message: object, opts: RequestOptions, signal?: AbortSignal): Promise<Response> {
    try {
      const headers = this.headers();
      if (opts.traceparent) headers.set("traceparent", opts.traceparent);
      return await fetch(this.target.url, {
        method: "POST",
        headers,
        body: JSON.stringify(message),
        signal: signal ?? timeoutSignal(opts.timeoutMs ?? this.target.timeoutMs, opts.signal),
        redirect: "manual",
      });
    } catch (err) {
      throw fetchFailure(err, opts.timeoutMs ?? this.target.timeoutMs);
    }
  }

  async #post(
    method: string,
    params: object | undefined,
    opts: RequestOptions,
  ): Promise<RpcResult> {
    const id = this.#nextId++;
    const timeoutMs = opts.timeoutMs ?? this.target.timeoutMs;
    const signal = timeoutSignal(timeoutMs, opts.signal);
    const res = await this.#fetch(
      { jsonrpc: "2.0", id, method, ...(params && { params }) },
      opts,
      signal,
    );
    if (res.status === 404 && this.state.sessionId && method !== "initialize") {
      await res.body?.cancel();
      throw new SessionGone();
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw httpError(res.status);
    }
    if (method === "initialize") this.state.sessionId = res.headers.get("mcp-session-id");
    const type = res.headers.get("content-type") ?? "";
    try {
      if (type.includes("text/event-stream")) return await readSseAnswer(res, id, opts);
      if (type.includes("application/json")) return answerFrom(await res.json(), id, opts);
    } catch (err) {
      if (err instanceof UpstreamError || err instanceof UpstreamRpcError) throw err;
      throw fetchFailure(err, timeoutMs);
    }
    await res.body?.cancel();
    throw new UpstreamError(
      "protocol",
      `The upstream server answered with "${type || "no content type"}" instead of JSON-RPC.`,
    );
  }
}

class SessionGone extends Error {}

function timeoutSignal(ms: number, outer?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return outer ? AbortSignal.any([timeout, outer]) : timeout;
}

function httpError(status: number): UpstreamError {
  if (status === 401 || status === 403) {
    return new UpstreamError(
      "http",
      `The upstream server refused the gateway's credentials (HTTP ${status}).`,
    );
  }
  return new UpstreamError("http", `The upstream server answered HTTP ${status}.`);
}

function fetchFailure(err: unknown, timeoutMs: number): UpstreamError {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return new UpstreamError(
      "timeout",
      `The upstream server did not answer within ${timeoutMs} ms.`,
    );
  }
  if (err instanceof SyntaxError) {
    return new UpstreamError("protocol", "The upstream server sent a body that is not JSON.");
  }
  return new UpstreamError(
    "network",
    "The upstream server could not be reached, or it dropped the connection.",
  );
}

function answerFrom(body: unknown, id: RpcId, opts: RequestOptions): RpcResult {
  const messages = Array.isArray(body) ? body : [body];
  for (const message of messages) {
    const answer = matchAnswer(message, id, opts);
    if (answer) return answer;
  }
  throw new UpstreamError("protocol", "The upstream server's answer was not a JSON-RPC response.");
}

/** The result if `message` answers request `id`; passes notifications on; else undefined. */
function matchAnswer(message: unknown, id: RpcId, opts: RequestOptions): RpcResult | undefined {
  const response = RpcResponseSchema.safeParse(message);
  if (response.success) {
    const r = response.data;
    if ("error" in r) {
      if (r.id === id || r.id === null) {
        throw new UpstreamRpcError(r.error.code, r.error.message, r.error.data);
      }
      return undefined;
    }
    return r.id === id ? r.result : undefined;
  }
  const note = RpcNotificationSchema.safeParse(message);
  if (note.success && !("id" in (message as object))) opts.onNotification?.(note.data);
  return undefined;
}

async function readSseAnswer(res: Response, id: RpcId, opts: RequestOptions): Promise<RpcResult> {
  if (!res.body) throw new UpstreamError("protocol", "The upstream server sent an empty stream.");
  for await (const message of sseMessages(res.body)) {
    const answer = matchAnswer(message, id, opts);
    if (answer) return answer;
  }
  throw new UpstreamError("network", "The upstream server closed its stream before answering.");
}
