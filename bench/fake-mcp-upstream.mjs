// A fake upstream MCP server for `npm run bench:mcp`, built with the official SDK: an
// `McpServer` per session behind the SDK's web-standard Streamable HTTP transport (stateful,
// `Mcp-Session-Id`), bridged to node:http. The SDK's own Node transport is not used: it needs
// a newer @hono/node-server than the 1.13.5 this repository pins for Portkey.
//
// Tools: `echo {text}` and 19 more with realistic names, descriptions and input schemas (a
// 20-tool `tools/list` answer is about 11 kB); the others echo their arguments too. Answers are what
// the SDK sends by default: an SSE stream with the one JSON-RPC response, when the client
// accepts text/event-stream. The `tools/list` result is the SDK's own, made once at start:
// `McpServer` turns every tool's zod schema into JSON Schema on each call (~4 ms of CPU for
// these 20 here), which would make the fake, not the gateway, the thing measured.
//
// It can run on the caller's thread (startFakeMcpUpstream) or on a worker thread
// (startFakeMcpUpstreamThread), so the benchmark client's event loop does not slow it down.
// `node bench/fake-mcp-upstream.mjs [port]` runs it alone, for poking at it with curl.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

export const MCP_PATH = "/mcp";
const MAX_BODY_BYTES = 1 << 20;

/**
 * @typedef {object} FakeMcpStats
 * @property {number} sessions Sessions initialized.
 * @property {number} open Sessions open now.
 * @property {Record<string, number>} methods JSON-RPC requests received, by method.
 * @property {number} rejected Requests answered 4xx/5xx (bad body, unknown session).
 *
 * @typedef {object} FakeMcpUpstream
 * @property {string} url `http://127.0.0.1:<port>`, no trailing slash.
 * @property {string} endpoint The MCP endpoint, `<url>/mcp`.
 * @property {() => Promise<FakeMcpStats>} stats
 * @property {() => Promise<void>} close
 */

/** The 19 tools besides echo: names and descriptions such as a real server's list has. */
const OTHER_TOOLS = [
  ["search_issues", "Search issues by text, label, state or assignee."],
  ["get_issue", "Get one issue with its comments and linked pull requests."],
  ["create_issue", "Open an issue in a repository."],
  ["update_issue", "Change an issue's title, body, labels, assignees or state."],
  ["list_pull_requests", "List pull requests of a repository, newest first."],
  ["get_pull_request", "Get a pull request with its diff statistics and review state."],
  ["merge_pull_request", "Merge a pull request with the chosen merge method."],
  ["list_commits", "List commits on a branch between two dates."],
  ["get_file_contents", "Read a file or a directory listing at a ref."],
  ["create_branch", "Create a branch from a ref."],
  ["search_code", "Search code across repositories with qualifiers."],
  ["list_workflow_runs", "List CI workflow runs with their conclusions."],
  ["get_workflow_logs", "Download the logs of one workflow run, truncated."],
  ["list_releases", "List releases of a repository."],
  ["create_release", "Draft or publish a release with notes."],
  ["list_deployments", "List deployments and their environments."],
  ["query_metrics", "Run a metrics query over a time range and return a series."],
  ["send_message", "Post a message to a channel or a person."],
  ["list_calendar_events", "List calendar events between two times."],
];

/** A session's server: the 20 tools, tools/list_changed announced. */
function newServer() {
  const server = new McpServer(
    { name: "bench-fake-mcp", version: "1.0.0" },
    { capabilities: { tools: { listChanged: true } } },
  );
  registerTools(server);
  return server;
}

/** The `tools/list` result an `McpServer` with these tools gives, asked once in memory. */
async function toolList() {
  const server = newServer();
  const client = new Client({ name: "bench-fake-mcp-list", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  const list = await client.listTools();
  await client.close();
  await server.close();
  return list;
}

/** @param {McpServer} server */
function registerTools(server) {
  server.registerTool(
    "echo",
    { description: "Echoes the text back.", inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  for (const [name, description] of OTHER_TOOLS) {
    server.registerTool(
      name,
      {
        description,
        inputSchema: {
          owner: z.string().describe("Account or organisation that owns the resource."),
          repo: z.string().describe("Repository or project name."),
          query: z.string().optional().describe("Free text, qualifiers allowed."),
          limit: z.number().int().min(1).max(100).optional().describe("At most this many."),
        },
      },
      async (args) => ({ content: [{ type: "text", text: JSON.stringify(args) }] }),
    );
  }
}

/**
 * @param {import("node:http").IncomingMessage} req
 * @returns {Promise<string | null>} null when the body is too large.
 */
async function readBody(req) {
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** @param {import("node:http").ServerResponse} res @param {number} status @param {unknown} body */
function sendJson(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * Hands a Node request to the SDK's web-standard transport and streams its answer back.
 * @param {WebStandardStreamableHTTPServerTransport} transport
 * @param {import("node:http").IncomingMessage} req
 * @param {string} raw
 * @param {unknown} parsedBody
 * @param {import("node:http").ServerResponse} res
 */
async function relay(transport, req, raw, parsedBody, res) {
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
  if (!answer.body) {
    res.end();
    return;
  }
  const reader = answer.body.getReader();
  res.on("close", () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (done) break;
    res.write(value);
  }
  res.end();
}

/** @param {unknown} body @returns {{ method?: unknown }[]} */
function messagesOf(body) {
  const list = Array.isArray(body) ? body : [body];
  return list.filter((m) => typeof m === "object" && m !== null);
}

/**
 * @param {{ port?: number }} [options]
 * @returns {Promise<FakeMcpUpstream>}
 */
export async function startFakeMcpUpstream(options = {}) {
  const tools = await toolList();
  /** @type {Map<string, { transport: WebStandardStreamableHTTPServerTransport, server: McpServer }>} */
  const sessions = new Map();
  /** @type {FakeMcpStats} */
  const stats = { sessions: 0, open: 0, methods: {}, rejected: 0 };
  /** @type {Set<import("node:net").Socket>} */
  const sockets = new Set();

  /** @param {import("node:http").IncomingMessage} req @param {import("node:http").ServerResponse} res */
  async function handleMcp(req, res) {
    const raw = req.method === "POST" ? await readBody(req) : "";
    if (raw === null) {
      stats.rejected += 1;
      return sendJson(res, 413, { error: "body too large" });
    }
    /** @type {unknown} */
    let body;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const messages = messagesOf(body);
    for (const m of messages) {
      const method = typeof m.method === "string" ? m.method : "(response)";
      stats.methods[method] = (stats.methods[method] ?? 0) + 1;
    }
    const header = req.headers["mcp-session-id"];
    const sessionId = typeof header === "string" ? header : null;
    const existing = sessionId ? sessions.get(sessionId) : undefined;
    if (existing) return relay(existing.transport, req, raw, body, res);
    if (sessionId || messages[0]?.method !== "initialize") {
      stats.rejected += 1;
      return sendJson(res, sessionId ? 404 : 400, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32001, message: "Session not found" },
      });
    }
    const server = newServer();
    server.server.setRequestHandler(ListToolsRequestSchema, () => tools);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server });
        stats.sessions += 1;
        stats.open = sessions.size;
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      stats.open = sessions.size;
    };
    await server.connect(transport);
    await relay(transport, req, raw, body, res);
  }

  const http = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      return;
    }
    if (path !== MCP_PATH) {
      stats.rejected += 1;
      return sendJson(res, 404, { error: "unknown route" });
    }
    handleMcp(req, res).catch((err) => {
      stats.rejected += 1;
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
      else res.end();
    });
  });
  http.keepAliveTimeout = 60_000;
  http.on("connection", (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => http.listen(options.port ?? 0, "127.0.0.1", () => resolve(null)));
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    endpoint: `${url}${MCP_PATH}`,
    stats: async () => structuredClone(stats),
    async close() {
      for (const { transport } of sessions.values()) await transport.close().catch(() => {});
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => http.close(() => resolve(null)));
    },
  };
}

/**
 * The same server on a worker thread of this process.
 * @param {{ port?: number }} [options]
 * @returns {Promise<FakeMcpUpstream>}
 */
export async function startFakeMcpUpstreamThread(options = {}) {
  const worker = new Worker(fileURLToPath(import.meta.url), {
    workerData: { benchFakeMcp: options },
  });
  worker.unref();
  let nextId = 1;
  /** @type {Map<number, (value: unknown) => void>} */
  const waiting = new Map();
  /** @type {Promise<{ url: string, endpoint: string }>} */
  const ready = new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (message) => {
      if (message.ready) resolve(message.ready);
      else waiting.get(message.id)?.(message.value);
      waiting.delete(message.id);
    });
  });
  /** @param {"stats" | "close"} op */
  const ask = (op) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      worker.postMessage({ id, op });
    });
  const { url, endpoint } = await ready;
  return {
    url,
    endpoint,
    stats: async () => /** @type {FakeMcpStats} */ (await ask("stats")),
    async close() {
      await ask("close");
      await worker.terminate();
    },
  };
}

if (!isMainThread && workerData?.benchFakeMcp && parentPort) {
  const port = parentPort;
  const fake = await startFakeMcpUpstream(workerData.benchFakeMcp);
  port.on("message", async (/** @type {{ id: number, op: string }} */ message) => {
    const value = message.op === "stats" ? await fake.stats() : await fake.close();
    port.postMessage({ id: message.id, value });
  });
  port.postMessage({ ready: { url: fake.url, endpoint: fake.endpoint } });
} else if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) {
  const fake = await startFakeMcpUpstream({ port: Number(process.argv[2] ?? 0) });
  console.log(`Fake MCP upstream on ${fake.endpoint}`);
}
