// The suite's tool and prompt scenarios call the reference fixtures by their bare names
// (`test_simple_text`); through the gateway they are `<server>__test_simple_text`, so those
// scenarios fail on the name alone. This replays each of them under the gateway's name, with
// the same checks the suite makes, to show whether anything besides the name is missing.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CallToolResultSchema,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

export interface ReplayResult {
  scenario: string;
  exposedName: string;
  ok: boolean;
  detail: string;
}

type Content = { type: string; [key: string]: unknown };

const has = (content: Content[], type: string) => content.some((c) => c.type === type);

/** Returns the problems found (empty: the scenario's checks would pass under this name). */
type Replay = (client: Client, name: string, logs: unknown[]) => Promise<string[]>;

async function callContent(client: Client, name: string): Promise<Content[]> {
  const result = await client.callTool({ name, arguments: {} });
  return result.content as Content[];
}

const TOOL_REPLAYS: Record<string, [string, Replay]> = {
  "tools-call-simple-text": [
    "test_simple_text",
    async (c, n) => (has(await callContent(c, n), "text") ? [] : ["no text content"]),
  ],
  "tools-call-image": [
    "test_image_content",
    async (c, n) => (has(await callContent(c, n), "image") ? [] : ["no image content"]),
  ],
  "tools-call-audio": [
    "test_audio_content",
    async (c, n) => (has(await callContent(c, n), "audio") ? [] : ["no audio content"]),
  ],
  "tools-call-embedded-resource": [
    "test_embedded_resource",
    async (c, n) => (has(await callContent(c, n), "resource") ? [] : ["no resource content"]),
  ],
  "tools-call-mixed-content": [
    "test_multiple_content_types",
    async (c, n) => {
      const content = await callContent(c, n);
      return ["text", "image", "resource"].filter((t) => !has(content, t)).map((t) => `no ${t}`);
    },
  ],
  "tools-call-error": [
    "test_error_handling",
    async (c, n) => {
      const result = await c.callTool({ name: n, arguments: {} });
      return result.isError === true ? [] : ["isError is not true"];
    },
  ],
  "tools-call-with-logging": [
    "test_tool_with_logging",
    async (c, n, logs) => {
      await c.setLoggingLevel("debug");
      await c.callTool({ name: n, arguments: {} });
      await new Promise((r) => setTimeout(r, 200));
      return logs.length >= 3 ? [] : [`${logs.length} log notifications, expected 3`];
    },
  ],
  "tools-call-with-progress": [
    "test_tool_with_progress",
    async (c, n) => {
      const seen: number[] = [];
      await c.request(
        { method: "tools/call", params: { name: n, arguments: {} } },
        CallToolResultSchema,
        { onprogress: (p) => seen.push(p.progress) },
      );
      return seen.length >= 3 ? [] : [`${seen.length} progress notifications, expected 3`];
    },
  ],
};

const PROMPT_REPLAYS: Record<string, [string, Record<string, string>, string]> = {
  "prompts-get-simple": ["test_simple_prompt", {}, "text"],
  "prompts-get-with-args": [
    "test_prompt_with_arguments",
    { arg1: "testValue1", arg2: "testValue2" },
    "testValue2",
  ],
  "prompts-get-embedded-resource": [
    "test_prompt_with_embedded_resource",
    { resourceUri: "test://example-resource" },
    "resource",
  ],
  "prompts-get-with-image": ["test_prompt_with_image", {}, "image"],
};

export async function replayRenamed(mcpUrl: string, server: string): Promise<ReplayResult[]> {
  const logs: unknown[] = [];
  const client = new Client({ name: "conformance-replay", version: "1.0.0" });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params);
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
  const results: ReplayResult[] = [];
  const record = async (scenario: string, exposedName: string, run: () => Promise<string[]>) => {
    try {
      const problems = await run();
      results.push({
        scenario,
        exposedName,
        ok: problems.length === 0,
        detail: problems.join("; "),
      });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      results.push({ scenario, exposedName, ok: false, detail });
    }
  };
  for (const [scenario, [tool, replay]] of Object.entries(TOOL_REPLAYS)) {
    const name = `${server}__${tool}`;
    await record(scenario, name, () => replay(client, name, logs));
  }
  for (const [scenario, [prompt, args, expected]] of Object.entries(PROMPT_REPLAYS)) {
    const name = `${server}__${prompt}`;
    await record(scenario, name, async () => {
      const { messages } = await client.getPrompt({ name, arguments: args });
      return JSON.stringify(messages).includes(expected) ? [] : [`no ${expected} in the messages`];
    });
  }
  await client.close();
  return results;
}
