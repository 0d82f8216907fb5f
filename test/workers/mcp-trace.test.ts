// Trace context through the MCP gateway: a tools/call's spans hang off the client's
// traceparent (in `params._meta`, as the MCP conventions carry it, or the HTTP header), the
// upstream server gets the gateway's span as its parent in both places, and the tool call's
// log row keeps the trace id and the conversation id (X-Archestra-Session-Id).
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { admin } from "./helpers";
import { addGateway, addServer, fakeLog, fakeTenant, RawMcpClient } from "./mcp-helpers";
import { connectClient } from "./oauth-helpers";

const SLUG = "traced";
const TENANT = "trace-tools";
let token: string;

beforeAll(async () => {
  const a = await admin();
  const server = await addServer(a, "files", await fakeTenant(TENANT));
  await addGateway(a, SLUG, [server.id]);
  token = (await connectClient(SLUG, { clientName: "Trace Tests" })).tokens.access_token;
});

interface StoredCall {
  trace_id: string | null;
  conversation_id: string | null;
}

function storedCall(traceId: string): Promise<StoredCall> {
  return vi.waitFor(
    async () => {
      const row = await env.DB.prepare(
        "SELECT trace_id, conversation_id FROM mcp_tool_calls WHERE trace_id = ?",
      )
        .bind(traceId)
        .first<StoredCall>();
      if (!row) throw new Error("no tool-call row yet");
      return row;
    },
    { timeout: 10_000, interval: 25 },
  );
}

async function upstreamCallsOf(traceId: string) {
  const log = await fakeLog(TENANT);
  return log.filter((e) => e.rpcMethod === "tools/call" && e.traceparent?.includes(traceId));
}

describe("a traced tools/call", () => {
  it("takes the trace from params._meta and hands the upstream the gateway's span", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const clientSpan = "b7ad6b7169203331";
    const client = new RawMcpClient(SLUG, token);
    await client.initialize();
    const res = await client.post(
      {
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: {
          name: "files__echo",
          arguments: { text: "hi" },
          _meta: { traceparent: `00-${traceId}-${clientSpan}-01`, progressToken: "p1" },
        },
      },
      { "x-archestra-session-id": "conv-mcp-1" },
    );
    expect(res.status).toBe(200);
    await res.text();
    const [call] = await upstreamCallsOf(traceId);
    const [, headerTrace, headerParent] = call?.traceparent?.split("-") ?? [];
    expect(headerTrace).toBe(traceId);
    expect(headerParent).not.toBe(clientSpan);
    expect(call?.meta?.traceparent).toBe(call?.traceparent);
    expect(call?.meta?.progressToken, "the client's own _meta is kept").toBe("p1");
    const row = await storedCall(traceId);
    expect(row.conversation_id).toBe("conv-mcp-1");
  });

  it("takes the trace from the HTTP header when _meta has none", async () => {
    const traceId = "1af7651916cd43dd8448eb211c80319d";
    const client = new RawMcpClient(SLUG, token);
    await client.initialize();
    const res = await client.post(
      {
        jsonrpc: "2.0",
        id: 8,
        method: "tools/call",
        params: { name: "files__echo", arguments: { text: "x" } },
      },
      { traceparent: `00-${traceId}-c7ad6b7169203332-01` },
    );
    await res.text();
    expect(await upstreamCallsOf(traceId)).toHaveLength(1);
    const row = await storedCall(traceId);
    expect(row.conversation_id).toBeNull();
  });
});
