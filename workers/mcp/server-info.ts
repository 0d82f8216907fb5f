// The gateway's answer to `initialize`: what it offers a client, whatever its upstreams are.
import type { RpcResult } from "./json-rpc";
import type { SessionContext } from "./session-context";

export function serverInfo(ctx: SessionContext, protocolVersion: string): RpcResult {
  return {
    protocolVersion,
    capabilities: {
      tools: { listChanged: true },
      resources: { listChanged: true },
      prompts: { listChanged: true },
      logging: {},
    },
    serverInfo: { name: `gatehouse-${ctx.gatewaySlug}`, title: ctx.gatewayName, version: "0.1.0" },
    instructions: `Tools of the "${ctx.gatewayName}" MCP gateway, named <server>__<tool>. Each call runs as you and is logged.`,
  };
}
