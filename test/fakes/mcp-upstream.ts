/**
 * Upstream MCP servers on loopback, built with the official MCP SDK (Streamable HTTP, stateful
 * sessions). Each test picks its own tenant, `/t/<tenant>/mcp`, so files running at once never
 * share tools, sessions or faults.
 *
 * Per tenant:
 * - `PUT /t/<tenant>/_fake/config`  a `FakeMcpConfig`: which tools it offers, the credential it
 *                                    demands, a fault. Live sessions get the new tool list and a
 *                                    `notifications/tools/list_changed`.
 * - `GET /t/<tenant>/_fake/log`      what it was sent: method, JSON-RPC method, tool, auth header
 * - `/t/<tenant>/mcp`                the MCP endpoint (POST, GET for its SSE stream, DELETE)
 *
 * Tools: `echo {text}`, `add {a, b}`, `fail {}` (a tool error), `sleep {ms}`, plus any
 * `extraTools` (they echo their arguments). One resource `fake://<tenant>/readme`, one prompt
 * `greet {name}`. Without `requireBearer`/`requireHeader` any caller is served; with them, a
 * caller without the credential gets 401, as a real protected server answers.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport as StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";

export type FakeMcpFault =
  /** 200 with a body that is not JSON-RPC. */
  | "garbage"
  /** Never answers. */
  | "hang"
  /** tools/call starts an SSE response and drops the connection before the result. */
  | "drop-sse"
  /** Closes every connection at once, like a dead host. */
  | "down";

export interface FakeMcpConfig {
  /** Built-in tools to offer; default all. */
  tools?: ("echo" | "add" | "fail" | "sleep")[];
  extraTools?: { name: string; description?: string }[];
  requireBearer?: string;
  requireHeader?: { name: string; value: string };
  fault?: FakeMcpFault | null;
}

export interface FakeMcpLogEntry {
  httpMethod: string;
  rpcMethod: string | null;
  tool: string | null;
  authorization: string | null;
  /** The W3C trace context the request carried, as a header and in `params._meta`. */
  traceparent: string | null;
  meta: Record<string, unknown> | null;
  sessionId: string | null;
  at: number;
}

interface Tenant {
  config: FakeMcpConfig;
  log: FakeMcpLogEntry[];
  sessions: Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>;
}

export interface FakeMcpUpstream {
  url: string;
  /** `<url>/t/<tenant>/mcp` */
  endpoint(tenant: string): string;
  configure(tenant: string, config: FakeMcpConfig): Promise<void>;
  close(): Promise<void>;
}

const BUILT_IN = ["echo", "add", "fail", "sleep"] as const;

function registerTools(server: McpServer, tenant: string, config: FakeMcpConfig) {
  const wanted = new Set(config.tools ?? BUILT_IN);
  const registered = [];
  if (wanted.has("echo")) {
    registered.push(
      server.registerTool(
        "echo",
        { description: `Echoes text back (${tenant})`, inputSchema: { text: z.string() } },
        async ({ text }) => ({ content: [{ type: "text", text: `${tenant} echo: ${text}` }] }),
      ),
    );
  }
  if (wanted.has("add")) {
    registered.push(
      server.registerTool(
        "add",
        { description: "Adds two numbers", inputSchema: { a: z.number(), b: z.number() } },
        async ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }] }),
      ),
    );
  }
  if (wanted.has("fail")) {
    registered.push(
      server.registerTool("fail", { description: "Always fails" }, async () => ({
        isError: true,
        content: [{ type: "text", text: "this tool always fails" }],
      })),
    );
  }
  if (wanted.has("sleep")) {
    registered.push(
      server.registerTool(
        "sleep",
        { description: "Waits, then answers", inputSchema: { ms: z.number() } },
        async ({ ms }) => {
          await new Promise((r) => setTimeout(r, ms));
          return { content: [{ type: "text", text: `slept ${ms}` }] };
        },
      ),
    );
  }
  for (const extra of config.extraTools ?? []) {
    registered.push(
      server.registerTool(
        extra.name,
        { description: extra.description ?? "An extra tool", inputSchema: { value: z.string() } },
        async (args) => ({ content: [{ type: "text", text: JSON.stringify(args) }] }),
      ),
    );
  }
  return registered;
}

function newServer(tenant: string, state: Tenant): McpServer {
  const server = new McpServer(
    { name: `fake-${tenant}`, version: "1.0.0" },
    { capabilities: { tools: { listChanged: true }, resources: {}, prompts: {} } },
  );
  let tools = registerTools(server, tenant, state.config);
  server.registerResource(
    "readme",
    `fake://${tenant}/readme`,
    { description: `The ${tenant} readme`, mimeType: "text/plain" },
    async (uri) => ({ contents: [{ uri: uri.href, text: `readme of ${tenant}` }] }),
  );
  server.registerPrompt(
    "greet",
    { description: "A greeting", argsSchema: { name: z.string() } },
    ({ name }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Hello ${name} from ${tenant}` } }],
    }),
  );
  (server as McpServer & { resync?: () => void }).resync = () => {
    for (const t of tools) t.remove();
    tools = registerTools(server, tenant, state.config);
  };
  return server;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Hands a Node request to the SDK's web-standard transport and streams its answer back. */
async function relay(
  transport: StreamableHTTPServerTransport,
  req: IncomingMessage,
  raw: string,
  parsedBody: unknown,
  res: ServerResponse,
) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: req.method === "POST" ? raw : undefined,
  });
  const answer = await transport.handleRequest(request, { parsedBody });
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  if (!answer.body) return void res.end();
  const reader = answer.body.getReader();
  res.on("close", () => void reader.cancel().catch(() => undefined));
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (done) break;
    res.write(value);
  }
  res.end();
}

function firstMessage(
  body: unknown,
): { method?: string; params?: { name?: string; _meta?: Record<string, unknown> } } | null {
  const m = Array.isArray(body) ? body[0] : body;
  return typeof m === "object" && m !== null ? m : null;
}

export async function startFakeMcpUpstream(port = 0): Promise<FakeMcpUpstream> {
  const tenants = new Map<string, Tenant>();
  const sockets = new Set<Socket>();
  const tenantState = (name: string): Tenant => {
    let t = tenants.get(name);
    if (!t) {
      t = { config: {}, log: [], sessions: new Map() };
      tenants.set(name, t);
    }
    return t;
  };

  async function handleMcp(
    tenant: string,
    state: Tenant,
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    const raw = req.method === "POST" ? await readBody(req) : "";
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const first = firstMessage(body);
    const sessionHeader = req.headers["mcp-session-id"];
    const sessionId = typeof sessionHeader === "string" ? sessionHeader : null;
    state.log.push({
      httpMethod: req.method ?? "",
      rpcMethod: first?.method ?? null,
      tool: first?.method === "tools/call" ? (first.params?.name ?? null) : null,
      authorization: req.headers.authorization ?? null,
      traceparent: typeof req.headers.traceparent === "string" ? req.headers.traceparent : null,
      meta: first?.params?._meta ?? null,
      sessionId,
      at: Date.now(),
    });
    const { config } = state;
    if (config.fault === "down") {
      req.socket.destroy();
      return;
    }
    if (config.fault === "hang") return;
    if (config.fault === "garbage") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("<html>definitely not json-rpc</html>");
      return;
    }
    if (config.requireBearer && req.headers.authorization !== `Bearer ${config.requireBearer}`) {
      return sendJson(res, 401, { error: "unauthorized" });
    }
    const need = config.requireHeader;
    if (need && req.headers[need.name.toLowerCase()] !== need.value) {
      return sendJson(res, 401, { error: "unauthorized" });
    }
    if (config.fault === "drop-sse" && first?.method === "tools/call") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(": starting\n\n");
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    const existing = sessionId ? state.sessions.get(sessionId) : undefined;
    if (existing) return relay(existing.transport, req, raw, body, res);
    if (sessionId || first?.method !== "initialize") {
      return sendJson(res, 404, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32001, message: "Session not found" },
      });
    }
    const server = newServer(tenant, state);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        state.sessions.set(id, { transport, server });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) state.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await relay(transport, req, raw, body, res);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const match = /^\/t\/([\w-]+)\/(mcp|_fake\/config|_fake\/log)$/.exec(url.pathname);
    if (!match?.[1] || !match[2]) return sendJson(res, 404, { error: "unknown fake route" });
    const tenant = match[1];
    const state = tenantState(tenant);
    const run = async () => {
      if (match[2] === "_fake/log") return sendJson(res, 200, state.log);
      if (match[2] === "_fake/config") {
        if (req.method !== "PUT") return sendJson(res, 405, { error: "PUT only" });
        state.config = JSON.parse(await readBody(req)) as FakeMcpConfig;
        for (const s of state.sessions.values()) {
          (s.server as McpServer & { resync?: () => void }).resync?.();
        }
        return sendJson(res, 200, { ok: true });
      }
      return handleMcp(tenant, state, req, res);
    };
    run().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
      else res.end();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    endpoint: (tenant) => `${url}/t/${tenant}/mcp`,
    async configure(tenant, config) {
      const res = await fetch(`${url}/t/${tenant}/_fake/config`, {
        method: "PUT",
        body: JSON.stringify(config),
      });
      if (!res.ok) throw new Error(`fake MCP config failed: ${res.status}`);
    },
    async close() {
      for (const t of tenants.values()) {
        for (const s of t.sessions.values()) await s.transport.close().catch(() => undefined);
      }
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
