// An MCP client over raw HTTP for the gateway endpoint tests: JSON-RPC by hand, so each test
// sees exactly the status codes, headers and error bodies a client would. Plus fake upstream
// tenants and gateways made through the admin API.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { McpGatewayView, McpServerSaved } from "../../shared/api-types";
import type { Admin } from "./helpers";
import { at } from "./oauth-helpers";

export interface RpcAnswer {
  jsonrpc: "2.0";
  id: number | string | null;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

/** A fresh fake upstream tenant with this configuration; returns its MCP URL. */
export async function fakeTenant(tenant: string, config: Record<string, unknown> = {}) {
  const res = await fetch(`${env.FAKE_MCP_URL}/t/${tenant}/_fake/config`, {
    method: "PUT",
    body: JSON.stringify(config),
  });
  expect(res.status).toBe(200);
  return `${env.FAKE_MCP_URL}/t/${tenant}/mcp`;
}

export async function fakeLog(tenant: string) {
  const res = await fetch(`${env.FAKE_MCP_URL}/t/${tenant}/_fake/log`);
  return (await res.json()) as {
    httpMethod: string;
    rpcMethod: string | null;
    tool: string | null;
    authorization: string | null;
    traceparent: string | null;
    meta: Record<string, unknown> | null;
  }[];
}

export async function addServer(a: Admin, name: string, url: string, extra: object = {}) {
  const res = await a.api("/mcp-servers", {
    body: { name, url, auth: { kind: "none" }, ...extra },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as McpServerSaved;
}

export async function addGateway(
  a: Admin,
  slug: string,
  serverIds: string[],
  teamIds: string[] = [],
) {
  return a.json<McpGatewayView>("/mcp-gateways", {
    body: { slug, name: `Gateway ${slug}`, serverIds, teamIds },
  });
}

/** An `initialize` request, as a client opening a session sends it. */
export function initializeRequest(id = 1, protocolVersion = "2025-06-18") {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  };
}

export class RawMcpClient {
  sessionId: string | null = null;
  #id = 1;

  constructor(
    readonly slug: string,
    readonly token: string | null,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(this.token && { authorization: `Bearer ${this.token}` }),
      ...(this.sessionId && { "mcp-session-id": this.sessionId }),
      ...extra,
    };
  }

  post(body: unknown, extra: Record<string, string> = {}): Promise<Response> {
    return at(`/v1/mcp/${this.slug}`, {
      method: "POST",
      headers: this.headers(extra),
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  async initialize(protocolVersion = "2025-06-18"): Promise<RpcAnswer> {
    const res = await this.post(initializeRequest(this.#id++, protocolVersion));
    expect(res.status, await res.clone().text()).toBe(200);
    this.sessionId = res.headers.get("mcp-session-id");
    expect(this.sessionId).toBeTruthy();
    const answer = (await res.json()) as RpcAnswer;
    const initialized = await this.post({ jsonrpc: "2.0", method: "notifications/initialized" });
    expect(initialized.status).toBe(202);
    return answer;
  }

  /** Sends a request and reads the answer, whether it came as JSON or as an SSE stream. */
  async request(method: string, params?: object): Promise<RpcAnswer> {
    const res = await this.post({ jsonrpc: "2.0", id: this.#id++, method, params });
    expect(res.status, await res.clone().text()).toBe(200);
    return answerOf(res);
  }

  async result(method: string, params?: object): Promise<Record<string, unknown>> {
    const answer = await this.request(method, params);
    expect(answer.error, JSON.stringify(answer.error)).toBeUndefined();
    return answer.result ?? {};
  }

  async toolNames(): Promise<string[]> {
    const { tools } = (await this.result("tools/list")) as { tools: { name: string }[] };
    return tools.map((t) => t.name).sort();
  }

  async callText(name: string, args: object = {}) {
    const result = (await this.result("tools/call", { name, arguments: args })) as {
      content: { type: string; text: string }[];
      isError?: boolean;
    };
    return { text: result.content.map((c) => c.text).join(""), isError: result.isError === true };
  }
}

/** The JSON-RPC answer of a response, JSON or SSE (the last message that has an id). */
export async function answerOf(res: Response): Promise<RpcAnswer> {
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("application/json")) return (await res.json()) as RpcAnswer;
  expect(type).toContain("text/event-stream");
  const text = await res.text();
  const messages = text
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => JSON.parse(l.slice(6)) as RpcAnswer);
  const answer = messages.reverse().find((m) => "id" in m);
  if (!answer) throw new Error(`no answer in stream: ${text}`);
  return answer;
}
