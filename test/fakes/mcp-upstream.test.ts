import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeMcpUpstream, startFakeMcpUpstream } from "./mcp-upstream";

let fake: FakeMcpUpstream;
beforeAll(async () => {
  fake = await startFakeMcpUpstream();
});
afterAll(() => fake.close());

async function connect(tenant: string, headers: Record<string, string> = {}) {
  const client = new Client({ name: "check", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(fake.endpoint(tenant)), { requestInit: { headers } }),
  );
  return client;
}

describe("fake MCP upstream", () => {
  it("serves tools, a resource and a prompt to the SDK client", async () => {
    const client = await connect("plain");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["add", "echo", "fail", "sleep"]);
    const result = await client.callTool({ name: "echo", arguments: { text: "hi" } });
    expect(result.content).toEqual([{ type: "text", text: "plain echo: hi" }]);
    const read = await client.readResource({ uri: "fake://plain/readme" });
    expect(read.contents[0]).toMatchObject({ text: "readme of plain" });
    const prompt = await client.getPrompt({ name: "greet", arguments: { name: "Ada" } });
    expect(JSON.stringify(prompt.messages)).toContain("Hello Ada from plain");
    await client.close();
  });

  it("demands the credential it was configured with", async () => {
    await fake.configure("locked", { requireBearer: "s3cret" });
    await expect(connect("locked")).rejects.toThrow();
    const client = await connect("locked", { authorization: "Bearer s3cret" });
    expect((await client.listTools()).tools.length).toBe(4);
    await client.close();
  });

  it("tells live sessions when its tools change", async () => {
    const client = await connect("changing");
    const changed = new Promise<void>((resolve) =>
      client.setNotificationHandler(ToolListChangedNotificationSchema, async () => resolve()),
    );
    await fake.configure("changing", { tools: ["echo"], extraTools: [{ name: "extra" }] });
    await changed;
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["echo", "extra"]);
    await client.close();
  });
});
