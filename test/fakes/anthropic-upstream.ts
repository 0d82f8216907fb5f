/**
 * A loopback stand-in for the Anthropic API, realistic enough that the official SDK talks to it
 * unmodified. Behaviour is picked per request by a `[fake:<scenario>]` marker in the message text,
 * so a test controls the upstream through the same request it sends through the gateway.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

export const FAKE_PROVIDER_KEY = "sk-ant-api03-fake-provider-key-0123456789";
export const FAKE_SUBSCRIPTION_TOKEN = "sk-ant-oat01-fake-subscription-token-0123456789";

export interface RecordedRequest {
  method: string;
  /** Includes the query string. */
  path: string;
  /** Lower-cased names; repeated headers are joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** The client closed the connection before the fake finished its response. */
  aborted: boolean;
  /**
   * The usage the fake has reported on this request so far: what a whole JSON reply carried,
   * or, for a stream, `message_start`'s usage overwritten by each `message_delta` written in
   * full. Null until a reply that carries usage has been handed to the socket.
   */
  usage: Usage | null;
}

export interface FakeAnthropic {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** Snapshot copies: call again to observe later changes such as `aborted`. */
  requests(): RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

export interface FakeAnthropicOptions {
  port?: number;
  validKeys?: readonly string[];
}

const CONTROL_PATH = "/_fake/requests";
const INPUT_TOKENS = 12;
// Contract relied on by other suites: a plain JSON reply costs 1 output token, a plain stream 3.
const DEFAULT_JSON_OUTPUT_TOKENS = 1;
const DEFAULT_STREAM_DELTAS = 3;
const CACHE_OUTPUT_TOKENS = 5;
const DEFAULT_SLOW_MS = 150;
const MAX_MANY = 250_000;
const MAX_SLOW_MS = 60_000;
const MODELS_DEFAULT_LIMIT = 20;
const MODELS_MAX_LIMIT = 1000;

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const MODELS = (
  [
    ["claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-01T00:00:00Z"],
    ["claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z"],
    ["claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"],
    ["claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"],
    ["claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-14T00:00:00Z"],
    ["claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"],
  ] as const
).map(([id, display_name, created_at]) => ({ type: "model", id, display_name, created_at }));

/**
 * Body of a `[fake:status:<code>]` reply. It carries no request id so that it is byte-identical on
 * every call, which lets gateway tests assert exact pass-through.
 */
export function scenarioErrorBody(status: number): string {
  const type = ERROR_TYPES[status] ?? "api_error";
  return JSON.stringify({
    type: "error",
    error: { type, message: `fake upstream error ${status}` },
  });
}

// ---------------------------------------------------------------------------------------------
// Scenarios

type Scenario =
  | { kind: "text"; tokens?: number; cache: boolean; delayMs: number; futureEvent: boolean }
  | { kind: "tool_use" }
  | { kind: "error-midstream" }
  | { kind: "cut" }
  | { kind: "cut-body"; chunked: boolean }
  | { kind: "hang-body" }
  | { kind: "hang" }
  | { kind: "hang-stream" }
  | { kind: "no-stop" }
  | { kind: "status"; code: number };

const TEXT_DEFAULTS = { kind: "text", cache: false, delayMs: 0, futureEvent: false } as const;

const NAMED_SCENARIOS: Readonly<Record<string, Scenario>> = {
  cache: { ...TEXT_DEFAULTS, cache: true, tokens: CACHE_OUTPUT_TOKENS },
  slow: { ...TEXT_DEFAULTS, delayMs: DEFAULT_SLOW_MS },
  "unknown-event": { ...TEXT_DEFAULTS, futureEvent: true },
  tool_use: { kind: "tool_use" },
  "error-midstream": { kind: "error-midstream" },
  cut: { kind: "cut" },
  "cut-body": { kind: "cut-body", chunked: false },
  "cut-body-chunked": { kind: "cut-body", chunked: true },
  "hang-body": { kind: "hang-body" },
  hang: { kind: "hang" },
  "hang-stream": { kind: "hang-stream" },
  "no-stop": { kind: "no-stop" },
};

function parseBoundedInt(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** `undefined` means the marker names no known scenario. */
function parseScenario(marker: string | undefined): Scenario | undefined {
  if (marker === undefined) return TEXT_DEFAULTS;
  const named = NAMED_SCENARIOS[marker];
  if (named) return named;
  const [name, arg = ""] = marker.split(/:(.*)/s);
  if (name === "slow") {
    const delayMs = parseBoundedInt(arg, 0, MAX_SLOW_MS);
    return delayMs === undefined ? undefined : { ...TEXT_DEFAULTS, delayMs };
  }
  if (name === "many") {
    const tokens = parseBoundedInt(arg, 1, MAX_MANY);
    return tokens === undefined ? undefined : { ...TEXT_DEFAULTS, tokens };
  }
  if (name === "drip") {
    // `drip:<tokens>:<ms>`: a long stream whose events leave `ms` apart.
    const [tokensText = "", msText = ""] = arg.split(":");
    const tokens = parseBoundedInt(tokensText, 1, MAX_MANY);
    const delayMs = parseBoundedInt(msText, 0, MAX_SLOW_MS);
    if (tokens === undefined || delayMs === undefined) return undefined;
    return { ...TEXT_DEFAULTS, tokens, delayMs };
  }
  if (name === "status") {
    const code = parseBoundedInt(arg, 400, 599);
    return code === undefined ? undefined : { kind: "status", code };
  }
  return undefined;
}

function messageTexts(messages: readonly unknown[]): string[] {
  const texts: string[] = [];
  for (const message of messages) {
    const content = isRecord(message) ? message.content : undefined;
    if (typeof content === "string") texts.push(content);
    if (!Array.isArray(content)) continue;
    for (const block of content) {
      if (isRecord(block) && block.type === "text" && typeof block.text === "string") {
        texts.push(block.text);
      }
    }
  }
  return texts;
}

/** The last marker wins, so a multi-turn conversation can switch scenario on its latest turn. */
function findMarker(messages: readonly unknown[]): string | undefined {
  let marker: string | undefined;
  for (const text of messageTexts(messages)) {
    for (const match of text.matchAll(/\[fake:([^\]\s]+)\]/g)) marker = match[1];
  }
  return marker;
}

// ---------------------------------------------------------------------------------------------
// Response content

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

function usage(cache: boolean, outputTokens: number): Usage {
  if (!cache) {
    return {
      input_tokens: INPUT_TOKENS,
      output_tokens: outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
  }
  return {
    input_tokens: INPUT_TOKENS,
    output_tokens: outputTokens,
    cache_creation_input_tokens: 100,
    cache_creation: { ephemeral_5m_input_tokens: 60, ephemeral_1h_input_tokens: 40 },
    cache_read_input_tokens: 200,
  };
}

/** Up to five pieces spell "Hello" so short streams and JSON replies agree on the final text. */
function textPieces(count: number): string[] {
  const word = "Hello";
  if (count > word.length) {
    return Array.from({ length: count }, (_, i) => (i === 0 ? word : ` ${i}`));
  }
  const base = Math.floor(word.length / count);
  const extra = word.length % count;
  const pieces: string[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < extra ? 1 : 0);
    pieces.push(word.slice(offset, offset + size));
    offset += size;
  }
  return pieces;
}

interface TextReply {
  pieces: string[];
  stopReason: "end_turn" | "max_tokens";
}

function limitText(tokens: number, maxTokens: number): TextReply {
  const pieces = textPieces(tokens).slice(0, maxTokens);
  return { pieces, stopReason: tokens > maxTokens ? "max_tokens" : "end_turn" };
}

const TOOL_INPUT = { location: "Paris", unit: "celsius" };
// Real streams open tool input with an empty fragment; gateways have to cope with it.
const TOOL_INPUT_FRAGMENTS = ["", '{"location": ', '"Paris", "unit": ', '"celsius"}'];

function toolName(tools: unknown): string {
  const first = Array.isArray(tools) ? tools[0] : undefined;
  return isRecord(first) && typeof first.name === "string" ? first.name : "get_weather";
}

interface MessageRequest {
  model: string;
  messages: unknown[];
  max_tokens: number;
  stream: boolean;
  tools: unknown;
}

interface Ids {
  message: string;
  tool: string;
}

function messageShell(request: MessageRequest, ids: Ids, usageValue: Usage) {
  return {
    id: ids.message,
    type: "message",
    role: "assistant",
    model: request.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: usageValue,
  };
}

// ---------------------------------------------------------------------------------------------
// SSE event sequences

interface SseEvent {
  event: string;
  data: unknown;
}

type StreamEnding = "end" | "end-without-stop" | "cut" | "hang";

interface StreamPlan {
  events: SseEvent[];
  delayMs: number;
  ending: StreamEnding;
}

function sse(type: string, fields: Record<string, unknown> = {}): SseEvent {
  return { event: type, data: { type, ...fields } };
}

function streamOpening(request: MessageRequest, ids: Ids, cache: boolean): SseEvent[] {
  return [
    sse("message_start", { message: messageShell(request, ids, usage(cache, 1)) }),
    sse("ping"),
  ];
}

function textBlockEvents(pieces: readonly string[]): SseEvent[] {
  return [
    sse("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    ...pieces.map((text) =>
      sse("content_block_delta", { index: 0, delta: { type: "text_delta", text } }),
    ),
    sse("content_block_stop", { index: 0 }),
  ];
}

function streamClosing(stopReason: string, outputTokens: number): SseEvent[] {
  return [
    sse("message_delta", {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    }),
    sse("message_stop"),
  ];
}

function textStream(
  request: MessageRequest,
  ids: Ids,
  scenario: Extract<Scenario, { kind: "text" }>,
): StreamPlan {
  const reply = limitText(scenario.tokens ?? DEFAULT_STREAM_DELTAS, request.max_tokens);
  const block = textBlockEvents(reply.pieces);
  if (scenario.futureEvent) {
    // Right after the first delta, so the unknown event sits between known ones.
    block.splice(2, 0, { event: "future_event", data: { type: "future_event", x: 1 } });
  }
  const events = [
    ...streamOpening(request, ids, scenario.cache),
    ...block,
    ...streamClosing(reply.stopReason, reply.pieces.length),
  ];
  return { events, delayMs: scenario.delayMs, ending: "end" };
}

function toolStream(request: MessageRequest, ids: Ids): StreamPlan {
  const start = sse("content_block_start", {
    index: 0,
    content_block: { type: "tool_use", id: ids.tool, name: toolName(request.tools), input: {} },
  });
  const deltas = TOOL_INPUT_FRAGMENTS.map((partial_json) =>
    sse("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json } }),
  );
  const events = [
    ...streamOpening(request, ids, false),
    start,
    ...deltas,
    sse("content_block_stop", { index: 0 }),
    ...streamClosing("tool_use", TOOL_INPUT_FRAGMENTS.length),
  ];
  return { events, delayMs: 0, ending: "end" };
}

/** Opening plus two text deltas: the shared prefix of the broken-stream scenarios. */
function truncatedStream(request: MessageRequest, ids: Ids): SseEvent[] {
  const block = textBlockEvents(textPieces(DEFAULT_STREAM_DELTAS).slice(0, 2));
  return [...streamOpening(request, ids, false), ...block.slice(0, -1)];
}

const OVERLOADED_EVENT: SseEvent = {
  event: "error",
  data: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
};

type StreamScenario = Exclude<Scenario, { kind: "status" } | { kind: "hang" }>;

function streamPlan(request: MessageRequest, ids: Ids, scenario: StreamScenario): StreamPlan {
  switch (scenario.kind) {
    case "text":
      return textStream(request, ids, scenario);
    case "tool_use":
      return toolStream(request, ids);
    case "error-midstream":
      return {
        events: [...truncatedStream(request, ids), OVERLOADED_EVENT],
        delayMs: 0,
        ending: "end",
      };
    case "cut":
    case "cut-body":
      return { events: truncatedStream(request, ids), delayMs: 0, ending: "cut" };
    case "hang-body":
      return { events: streamOpening(request, ids, false).slice(0, 1), delayMs: 0, ending: "hang" };
    case "hang-stream":
      return { events: streamOpening(request, ids, false).slice(0, 1), delayMs: 0, ending: "hang" };
    case "no-stop":
      // Everything but `message_stop`, then a clean close: a truncated success on the wire.
      return { ...textStream(request, ids, TEXT_DEFAULTS), ending: "end-without-stop" };
  }
}

function frame(event: SseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

// ---------------------------------------------------------------------------------------------
// Per-response plumbing

/**
 * Wraps one response so that timers and pending writes are released as soon as the connection
 * goes away; otherwise a hanging or slow scenario would keep the event loop alive after the
 * client has left.
 */
class Reply {
  private closed = false;
  private cutByFake = false;
  private readonly cancellers = new Set<() => void>();

  constructor(
    readonly res: ServerResponse,
    readonly requestId: string,
    onClientGone: () => void,
  ) {
    res.setHeader("request-id", requestId);
    res.on("close", () => {
      this.closed = true;
      for (const cancel of this.cancellers) cancel();
      this.cancellers.clear();
      if (!res.writableEnded && !this.cutByFake) onClientGone();
    });
  }

  /** Resolves false instead of firing if the connection closes first. */
  sleep(ms: number): Promise<boolean> {
    return this.untilClosed((done) => {
      const timer = setTimeout(() => done(true), ms);
      return () => clearTimeout(timer);
    });
  }

  /**
   * Resolves once the chunk has been handed to the socket, so every event leaves on its own.
   * `onWritten` runs if the socket took the chunk, even when the connection closes just after.
   */
  write(chunk: string, onWritten?: () => void): Promise<boolean> {
    return this.untilClosed((done) => {
      this.res.write(chunk, (error) => {
        if (!error) onWritten?.();
        done(!error);
      });
      return undefined;
    });
  }

  /** Where the usage this reply has reported goes (the request's record). */
  onUsage: (usage: Usage) => void = () => {};

  /** Notes the usage an event that was just written carries. */
  reportStreamed(event: SseEvent): void {
    const data = event.data;
    if (!isRecord(data)) return;
    if (data.type === "message_start" && isRecord(data.message)) {
      this.reported = { ...(data.message.usage as Usage) };
    } else if (data.type === "message_delta" && isRecord(data.usage) && this.reported) {
      this.reported = { ...this.reported, ...(data.usage as Partial<Usage>) };
    } else {
      return;
    }
    this.onUsage(this.reported);
  }

  private reported: Usage | undefined;

  json(status: number, body: string, headers: Record<string, string> = {}): void {
    this.res.writeHead(status, {
      ...headers,
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    this.res.end(body);
  }

  error(status: number, type: string, message: string): void {
    this.json(status, errorBody(type, message, this.requestId));
  }

  startEventStream(): void {
    this.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    });
  }

  /** Drops the connection with no terminating chunk, like an upstream crash. */
  cut(): void {
    this.cutByFake = true;
    this.res.socket?.destroy();
  }

  /**
   * Sends the headers and half of a JSON body, then drops the connection or goes silent.
   * `chunked`: with no content-length, as a body of unknown length is sent.
   */
  halfBody(body: string, then: "cut" | "hang", chunked = false): void {
    this.res.writeHead(200, {
      "content-type": "application/json",
      ...(chunked ? {} : { "content-length": Buffer.byteLength(body) }),
    });
    this.res.write(body.slice(0, body.length >> 1), () => {
      if (then === "cut") this.cut();
    });
  }

  end(): void {
    this.res.end();
  }

  private untilClosed(
    start: (done: (ok: boolean) => void) => (() => void) | undefined,
  ): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      let cleanup: (() => void) | undefined;
      const finish = (ok: boolean) => {
        this.cancellers.delete(cancel);
        cleanup?.();
        resolve(ok && !this.closed);
      };
      const cancel = () => finish(false);
      this.cancellers.add(cancel);
      cleanup = start(finish);
    });
  }
}

function errorBody(type: string, message: string, requestId: string): string {
  return JSON.stringify({ type: "error", error: { type, message }, request_id: requestId });
}

async function runStream(reply: Reply, plan: StreamPlan): Promise<void> {
  reply.startEventStream();
  const events =
    plan.ending === "end-without-stop"
      ? plan.events.filter((e) => e.event !== "message_stop")
      : plan.events;
  for (const [index, event] of events.entries()) {
    if (index > 0 && plan.delayMs > 0 && !(await reply.sleep(plan.delayMs))) return;
    if (!(await reply.write(frame(event), () => reply.reportStreamed(event)))) return;
  }
  if (plan.ending === "end" || plan.ending === "end-without-stop") reply.end();
  if (plan.ending === "cut") reply.cut();
}

// ---------------------------------------------------------------------------------------------
// Routes

interface RouteContext {
  reply: Reply;
  url: URL;
  body: string;
  ids: Ids;
}

type Route = (context: RouteContext) => void | Promise<void>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Returns the parsed object, or an error message in the style of the real validator. */
function parseJsonObject(body: string): Record<string, unknown> | string {
  try {
    const parsed: unknown = JSON.parse(body);
    return isRecord(parsed) ? parsed : "Input should be a valid dictionary";
  } catch {
    return "There was an issue with the formatting or parsing of your request body";
  }
}

function validateMessageFields(
  body: Record<string, unknown>,
  needsMaxTokens: boolean,
): string | undefined {
  if (typeof body.model !== "string") return "model: Field required";
  if (!Array.isArray(body.messages)) return "messages: Field required";
  if (!needsMaxTokens) return undefined;
  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens)) {
    return "max_tokens: Field required";
  }
  if (maxTokens < 1) return "max_tokens: Input should be greater than or equal to 1";
  return undefined;
}

/** The validated body, or an error message for a 400. */
function parseRequestBody(body: string, needsMaxTokens: boolean): Record<string, unknown> | string {
  const parsed = parseJsonObject(body);
  if (typeof parsed === "string") return parsed;
  return validateMessageFields(parsed, needsMaxTokens) ?? parsed;
}

function parseMessageRequest(reply: Reply, body: string): MessageRequest | undefined {
  const parsed = parseRequestBody(body, true);
  if (typeof parsed === "string") {
    reply.error(400, "invalid_request_error", parsed);
    return undefined;
  }
  return {
    model: parsed.model as string,
    messages: parsed.messages as unknown[],
    max_tokens: parsed.max_tokens as number,
    stream: parsed.stream === true,
    tools: parsed.tools,
  };
}

type JsonScenario = Extract<Scenario, { kind: "text" | "tool_use" }>;

function jsonMessage(request: MessageRequest, ids: Ids, scenario: JsonScenario) {
  if (scenario.kind === "tool_use") {
    const name = toolName(request.tools);
    return {
      ...messageShell(request, ids, usage(false, TOOL_INPUT_FRAGMENTS.length)),
      content: [{ type: "tool_use", id: ids.tool, name, input: TOOL_INPUT }],
      stop_reason: "tool_use",
    };
  }
  const text = limitText(scenario.tokens ?? DEFAULT_JSON_OUTPUT_TOKENS, request.max_tokens);
  return {
    ...messageShell(request, ids, usage(scenario.cache, text.pieces.length)),
    content: [{ type: "text", text: text.pieces.join("") }],
    stop_reason: text.stopReason,
  };
}

async function replyWithoutStream(
  reply: Reply,
  request: MessageRequest,
  ids: Ids,
  scenario: Exclude<Scenario, { kind: "status" }>,
): Promise<void> {
  if (scenario.kind === "hang" || scenario.kind === "hang-stream") return;
  if (scenario.kind === "cut") return reply.cut();
  if (scenario.kind === "cut-body" || scenario.kind === "hang-body") {
    const body = JSON.stringify(jsonMessage(request, ids, TEXT_DEFAULTS));
    const chunked = scenario.kind === "cut-body" && scenario.chunked;
    return reply.halfBody(body, scenario.kind === "cut-body" ? "cut" : "hang", chunked);
  }
  if (scenario.kind === "error-midstream" || scenario.kind === "no-stop") {
    return reply.error(400, "invalid_request_error", `[fake:${scenario.kind}] needs stream: true`);
  }
  if (scenario.kind === "text" && scenario.delayMs > 0 && !(await reply.sleep(scenario.delayMs))) {
    return;
  }
  const message = jsonMessage(request, ids, scenario);
  reply.json(200, JSON.stringify(message));
  reply.onUsage(message.usage);
}

const createMessage: Route = async ({ reply, body, ids }) => {
  const request = parseMessageRequest(reply, body);
  if (!request) return;
  const marker = findMarker(request.messages);
  const scenario = parseScenario(marker);
  if (!scenario) {
    return reply.error(400, "invalid_request_error", `unknown fake scenario "${marker}"`);
  }
  if (scenario.kind === "status") {
    const headers: Record<string, string> = scenario.code === 429 ? { "retry-after": "7" } : {};
    return reply.json(scenario.code, scenarioErrorBody(scenario.code), headers);
  }
  if (!request.stream) return replyWithoutStream(reply, request, ids, scenario);
  if (scenario.kind === "hang") return;
  await runStream(reply, streamPlan(request, ids, scenario));
};

/** Deterministic stand-in for tokenisation; markers are ignored here on purpose. */
const countTokens: Route = ({ reply, body }) => {
  const parsed = parseRequestBody(body, false);
  if (typeof parsed === "string") return reply.error(400, "invalid_request_error", parsed);
  const inputTokens = Math.ceil(JSON.stringify(parsed.messages).length / 4);
  reply.json(200, JSON.stringify({ input_tokens: inputTokens }));
};

function parseLimit(raw: string | null): number | undefined {
  return raw === null ? MODELS_DEFAULT_LIMIT : parseBoundedInt(raw, 1, MODELS_MAX_LIMIT);
}

/** Index range of the page, or an error message. */
function modelsWindow(url: URL, limit: number): [number, number] | string {
  const afterId = url.searchParams.get("after_id");
  const beforeId = url.searchParams.get("before_id");
  if (afterId !== null && beforeId !== null) return "cannot specify both after_id and before_id";
  if (afterId !== null) {
    const index = MODELS.findIndex((model) => model.id === afterId);
    return index < 0 ? `after_id: unknown model "${afterId}"` : [index + 1, index + 1 + limit];
  }
  if (beforeId !== null) {
    const index = MODELS.findIndex((model) => model.id === beforeId);
    return index < 0
      ? `before_id: unknown model "${beforeId}"`
      : [Math.max(0, index - limit), index];
  }
  return [0, limit];
}

const listModels: Route = ({ reply, url }) => {
  const limit = parseLimit(url.searchParams.get("limit"));
  if (limit === undefined) {
    return reply.error(
      400,
      "invalid_request_error",
      `limit: must be between 1 and ${MODELS_MAX_LIMIT}`,
    );
  }
  const window = modelsWindow(url, limit);
  if (typeof window === "string") return reply.error(400, "invalid_request_error", window);
  const [start, end] = window;
  const data = MODELS.slice(start, end);
  // Paging backwards, "more" means more models newer than this page.
  const hasMore = url.searchParams.has("before_id") ? start > 0 : end < MODELS.length;
  const page = {
    data,
    has_more: hasMore,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
  reply.json(200, JSON.stringify(page));
};

const ROUTES: Readonly<Record<string, Route>> = {
  "POST /v1/messages": createMessage,
  "POST /v1/messages/count_tokens": countTokens,
  "GET /v1/models": listModels,
};

function credential(headers: Record<string, string>): string | undefined {
  const apiKey = headers["x-api-key"];
  if (apiKey !== undefined) return apiKey;
  return /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1];
}

/** Sends the rejection and returns false when the request may not reach the route. */
function admit(reply: Reply, headers: Record<string, string>, validKeys: ReadonlySet<string>) {
  const key = credential(headers);
  if (key === undefined || !validKeys.has(key)) {
    reply.error(401, "authentication_error", "invalid x-api-key");
    return false;
  }
  if (!headers["anthropic-version"]?.trim()) {
    reply.error(400, "invalid_request_error", "anthropic-version: header is required");
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Server

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

interface FakeState {
  recorded: RecordedRequest[];
  counter: number;
  closing: boolean;
  validKeys: ReadonlySet<string>;
}

function handleControl(req: IncomingMessage, res: ServerResponse, state: FakeState): void {
  const reply = new Reply(res, `req_fake_${++state.counter}`, () => {});
  if (req.method === "GET") {
    reply.json(200, JSON.stringify(state.recorded));
  } else if (req.method === "DELETE") {
    state.recorded.length = 0;
    res.writeHead(204).end();
  } else {
    reply.error(405, "invalid_request_error", `method ${req.method} not allowed`);
  }
}

async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  state: FakeState,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake.invalid");
  if (url.pathname === CONTROL_PATH) {
    req.resume();
    return handleControl(req, res, state);
  }
  const record: RecordedRequest = {
    method: req.method ?? "GET",
    path: req.url ?? "/",
    headers: flattenHeaders(req.headers),
    body: "",
    aborted: false,
    usage: null,
  };
  state.recorded.push(record);
  const id = ++state.counter;
  const reply = new Reply(res, `req_fake_${id}`, () => {
    if (!state.closing) record.aborted = true;
  });
  reply.onUsage = (usage) => {
    record.usage = usage;
  };
  try {
    record.body = await readBody(req);
  } catch {
    return; // Upload interrupted; the close listener has flagged the record.
  }
  const route = ROUTES[`${record.method} ${url.pathname}`];
  if (!route) return reply.error(404, "not_found_error", `Not found: ${url.pathname}`);
  if (!admit(reply, record.headers, state.validKeys)) return;
  const ids = { message: `msg_fake_${id}`, tool: `toolu_fake_${id}` };
  await route({ reply, url, body: record.body, ids });
}

function failSafely(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  res.writeHead(500, { "content-type": "application/json" });
  res.end(JSON.stringify({ type: "error", error: { type: "api_error", message } }));
}

export async function startFakeAnthropic(
  options: FakeAnthropicOptions = {},
): Promise<FakeAnthropic> {
  const state: FakeState = {
    recorded: [],
    counter: 0,
    closing: false,
    validKeys: new Set(options.validKeys ?? [FAKE_PROVIDER_KEY, FAKE_SUBSCRIPTION_TOKEN]),
  };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handleRequest(req, res, state).catch((error: unknown) => failSafely(res, error));
  });
  server.on("connection", (socket) => {
    // Without this, small SSE events can sit in Nagle's buffer and distort timing tests.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve, reject) => {
      state.closing = true;
      server.close((error) => (error ? reject(error) : resolve()));
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests: () =>
      state.recorded.map((record) => ({
        ...record,
        headers: { ...record.headers },
        usage: record.usage && { ...record.usage },
      })),
    reset: () => {
      state.recorded.length = 0;
    },
    close,
  };
}
