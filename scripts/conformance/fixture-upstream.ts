// An upstream MCP server on loopback with the fixtures the conformance suite's server scenarios
// expect of the reference "everything" server (tools `test_*`, prompts `test_*`, resources
// `test://static-text`, `test://static-binary`, template `test://template/{id}/data`), built
// with the official SDK (Streamable HTTP, stateless). Behind the gateway its resources keep
// their URIs, so the resource scenarios really exercise the gateway; its tools and prompts
// appear as `<server>__test_*`, which the runner replays under those names (replay.ts).
// Sampling and elicitation fixtures are left out: the gateway offers neither to upstreams.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

/** A 1×1 transparent PNG. */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
/** A few bytes of a WAV header: enough for a client to see audio content. */
const WAV = Buffer.from("RIFF$\u0000\u0000\u0000WAVEfmt ").toString("base64");

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fixtureServer(): McpServer {
  const server = new McpServer(
    { name: "conformance-fixtures", version: "1.0.0" },
    { capabilities: { logging: {} } },
  );
  server.registerTool("test_simple_text", { description: "Simple text" }, async () => ({
    content: [{ type: "text", text: "This is a simple text response for testing." }],
  }));
  server.registerTool("test_image_content", { description: "Image" }, async () => ({
    content: [{ type: "image", data: PNG, mimeType: "image/png" }],
  }));
  server.registerTool("test_audio_content", { description: "Audio" }, async () => ({
    content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }],
  }));
  server.registerTool("test_embedded_resource", { description: "Resource" }, async () => ({
    content: [
      {
        type: "resource",
        resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "Embedded." },
      },
    ],
  }));
  server.registerTool("test_multiple_content_types", { description: "Mixed" }, async () => ({
    content: [
      { type: "text", text: "Multiple content types test:" },
      { type: "image", data: PNG, mimeType: "image/png" },
      {
        type: "resource",
        resource: { uri: "test://mixed-content-resource", mimeType: "text/plain", text: "Mixed." },
      },
    ],
  }));
  server.registerTool("test_error_handling", { description: "Tool error" }, async () => ({
    isError: true,
    content: [{ type: "text", text: "This tool intentionally returns an error for testing" }],
  }));
  server.registerTool("test_tool_with_logging", { description: "Logs" }, async (extra) => {
    for (const data of ["Tool execution started", "Tool processing data", "Tool completed"]) {
      await extra.sendNotification({
        method: "notifications/message",
        params: { level: "info", data },
      });
      await pause(20);
    }
    return { content: [{ type: "text", text: "Tool with logging executed successfully" }] };
  });
  server.registerTool("test_tool_with_progress", { description: "Progress" }, async (extra) => {
    const progressToken = extra._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (progressToken !== undefined) {
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken, progress, total: 100 },
        });
      }
      await pause(20);
    }
    return { content: [{ type: "text", text: String(progressToken) }] };
  });

  server.registerPrompt("test_simple_prompt", { description: "Simple" }, () => ({
    messages: [{ role: "user", content: { type: "text", text: "This is a simple prompt." } }],
  }));
  server.registerPrompt(
    "test_prompt_with_arguments",
    { description: "Arguments", argsSchema: { arg1: z.string(), arg2: z.string() } },
    ({ arg1, arg2 }) => ({
      messages: [{ role: "user", content: { type: "text", text: `arg1: ${arg1}, arg2: ${arg2}` } }],
    }),
  );
  server.registerPrompt(
    "test_prompt_with_embedded_resource",
    { description: "Embedded resource", argsSchema: { resourceUri: z.string() } },
    ({ resourceUri }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "resource",
            resource: { uri: resourceUri, mimeType: "text/plain", text: "Embedded." },
          },
        },
      ],
    }),
  );
  server.registerPrompt("test_prompt_with_image", { description: "Image" }, () => ({
    messages: [{ role: "user", content: { type: "image", data: PNG, mimeType: "image/png" } }],
  }));

  server.registerResource(
    "static-text",
    "test://static-text",
    { mimeType: "text/plain" },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: "This is static text content." }],
    }),
  );
  server.registerResource(
    "static-binary",
    "test://static-binary",
    { mimeType: "image/png" },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: "image/png", blob: PNG }] }),
  );
  server.registerResource(
    "template",
    new ResourceTemplate("test://template/{id}/data", { list: undefined }),
    { mimeType: "application/json" },
    async (uri, { id }) => ({
      contents: [
        { uri: uri.href, mimeType: "application/json", text: JSON.stringify({ id, data: "x" }) },
      ],
    }),
  );
  return server;
}

export interface FixtureUpstream {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  url: string;
  close(): Promise<void>;
}

export async function startFixtureUpstream(): Promise<FixtureUpstream> {
  const sockets = new Set<Socket>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST") {
      // Stateless: no server-to-client stream, no sessions to end.
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const server = fixtureServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };
  const http = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  http.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        http.close(() => resolve());
      }),
  };
}
