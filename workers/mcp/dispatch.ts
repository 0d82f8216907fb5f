// The MCP methods a gateway session answers, once the session exists: lists merged across the
// upstreams (paginated), and calls routed to the upstream that owns the tool, prompt or
// resource. Unknown methods, tools and bad params get the JSON-RPC errors the spec names.
import { z } from "zod";
import { type CallOutcome, callTool } from "./call-tool";
import type { Catalog, CatalogEntry, ListKind } from "./catalog";
import {
  invalidParams,
  METHOD_NOT_FOUND,
  RpcFault,
  type RpcNotification,
  type RpcRequest,
  type RpcResult,
} from "./json-rpc";
import type { SessionContext, UpstreamServer } from "./session-context";
import { exposeNames } from "./tool-names";
import { type UpstreamConnection, UpstreamError, UpstreamRpcError } from "./upstream-client";

export interface Runtime {
  ctx: SessionContext;
  catalog: Catalog;
  connection(server: UpstreamServer): UpstreamConnection;
  /** Passes an upstream's notification to the client (progress, log messages, list changes). */
  relay(n: RpcNotification, serverId: string): void;
  logCall(outcome: CallOutcome): void;
}

const PAGE_SIZE = 100;
export const RESOURCE_NOT_FOUND = -32002;

const Cursor = z.object({ cursor: z.string().max(200).optional() }).passthrough();

function decodeCursor(params: unknown): number {
  const parsed = Cursor.safeParse(params ?? {});
  if (!parsed.success) throw invalidParams("params.cursor must be a string.");
  const cursor = parsed.data.cursor;
  if (cursor === undefined) return 0;
  const offset = /^o(\d{1,7})$/.exec(cursor);
  if (!offset?.[1]) throw invalidParams("params.cursor is not a cursor this gateway gave out.");
  return Number(offset[1]);
}

function page(key: string, items: unknown[], params: unknown): RpcResult {
  const offset = decodeCursor(params);
  const slice = items.slice(offset, offset + PAGE_SIZE);
  const next = offset + PAGE_SIZE < items.length ? `o${offset + PAGE_SIZE}` : undefined;
  return { [key]: slice, ...(next && { nextCursor: next }) };
}

async function listNamed(rt: Runtime, kind: "tools" | "prompts", params: unknown) {
  const named = await rt.catalog.named(rt.ctx, kind);
  const items = [...named].map(([name, entry]) => ({ ...entry.item, name }));
  return page(kind, items, params);
}

/** Resources keep their URIs (clients read them by URI); names get the server prefix. */
async function listResources(
  rt: Runtime,
  kind: "resources" | "resourceTemplates",
  params: unknown,
) {
  const entries = await rt.catalog.entries(rt.ctx, kind);
  const named = exposeNames(entries);
  const items = [...named].map(([name, entry]) => ({ ...entry.item, name }));
  return page(kind, items, params);
}

function serverOf(rt: Runtime, entry: CatalogEntry): UpstreamServer {
  const server = rt.ctx.servers.find((s) => s.id === entry.serverId);
  if (!server)
    throw new RpcFault(METHOD_NOT_FOUND, "That server is no longer part of this gateway.");
  return server;
}

/** Runs a request on one upstream; its JSON-RPC errors pass through, other failures are -32603. */
async function onUpstream(rt: Runtime, server: UpstreamServer, method: string, params: object) {
  try {
    return await rt.connection(server).request(method, params, {
      timeoutMs: server.timeoutMs,
      onNotification: (n) => rt.relay(n, server.id),
    });
  } catch (err) {
    if (err instanceof UpstreamRpcError) throw new RpcFault(err.code, err.message, err.data);
    if (err instanceof UpstreamError) {
      throw new RpcFault(-32603, `Upstream server "${server.name}" failed: ${err.message}`);
    }
    throw err;
  }
}

const GetPrompt = z.object({
  name: z.string().min(1),
  arguments: z.record(z.string(), z.string()).optional(),
});

async function getPrompt(rt: Runtime, params: unknown) {
  const parsed = GetPrompt.safeParse(params);
  if (!parsed.success) throw invalidParams("prompts/get needs params.name (a string).");
  let entry = (await rt.catalog.named(rt.ctx, "prompts")).get(parsed.data.name);
  entry ??= (await rt.catalog.named(rt.ctx, "prompts", true)).get(parsed.data.name);
  if (!entry) throw invalidParams(`Unknown prompt: ${parsed.data.name}`);
  return onUpstream(rt, serverOf(rt, entry), "prompts/get", {
    ...(params as object),
    name: entry.name,
  });
}

const ReadResource = z.object({ uri: z.string().min(1) });

async function readResource(rt: Runtime, params: unknown) {
  const parsed = ReadResource.safeParse(params);
  if (!parsed.success) throw invalidParams("resources/read needs params.uri (a string).");
  const uri = parsed.data.uri;
  const listed = (await rt.catalog.entries(rt.ctx, "resources")).find((e) => e.item.uri === uri);
  // Listed resources go to their server; others (from templates) to each server in turn.
  const candidates = listed ? [serverOf(rt, listed)] : rt.ctx.servers;
  for (const server of candidates) {
    try {
      return await onUpstream(rt, server, "resources/read", params as object);
    } catch (err) {
      if (listed) throw err;
    }
  }
  throw new RpcFault(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri });
}

const LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];
const SetLevel = z.object({ level: z.enum(LEVELS) });

/** Passes the client's log level on to every upstream (those without logging ignore it). */
async function setLevel(rt: Runtime, params: unknown): Promise<RpcResult> {
  const parsed = SetLevel.safeParse(params);
  if (!parsed.success) throw invalidParams(`params.level must be one of ${LEVELS.join(", ")}.`);
  await Promise.allSettled(
    rt.ctx.servers.map((server) =>
      rt.connection(server).request("logging/setLevel", parsed.data, {
        timeoutMs: Math.min(server.timeoutMs, 5_000),
      }),
    ),
  );
  return {};
}

const LIST_KEYS: Record<string, ListKind> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resourceTemplates",
};

/** Answers one request of an initialized session. Throws RpcFault for JSON-RPC errors. */
export async function dispatch(rt: Runtime, req: RpcRequest): Promise<RpcResult> {
  const params = req.params;
  switch (req.method) {
    case "ping":
      return {};
    case "tools/list":
    case "prompts/list":
      return listNamed(rt, LIST_KEYS[req.method] as "tools" | "prompts", params);
    case "resources/list":
    case "resources/templates/list":
      return listResources(rt, LIST_KEYS[req.method] as "resources" | "resourceTemplates", params);
    case "tools/call":
      return callTool(rt, params, req.id);
    case "prompts/get":
      return getPrompt(rt, params);
    case "resources/read":
      return readResource(rt, params);
    case "logging/setLevel":
      return setLevel(rt, params);
    case "initialize":
      throw new RpcFault(-32600, "This session is already initialized.");
    default:
      throw new RpcFault(METHOD_NOT_FOUND, `Method not found: ${req.method}`);
  }
}
