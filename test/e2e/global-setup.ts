// End-to-end runs share one gateway started as `npm start` does, beside the fake Anthropic
// upstream and the fake upstream MCP servers on loopback.
import type { TestProject } from "vitest/node";
import { startFakeAnthropic } from "../fakes/anthropic-upstream";
import { startFakeMcpUpstream } from "../fakes/mcp-upstream";
import { startGateway } from "./gateway-process";

declare module "vitest" {
  export interface ProvidedContext {
    gatewayUrl: string;
    e2eFakeAnthropicUrl: string;
    /** Fake upstream MCP servers: `<url>/t/<tenant>/mcp`, configured with PUT `/t/<tenant>/_fake/config`. */
    e2eFakeMcpUrl: string;
    /** The shared gateway's local state directory (its D1 database is under it). */
    gatewayStateDir: string;
  }
}

export default async function setup(project: TestProject) {
  const fake = await startFakeAnthropic();
  const mcp = await startFakeMcpUpstream();
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway();
  } catch (err) {
    await Promise.all([fake.close(), mcp.close()]);
    throw err;
  }
  project.provide("gatewayUrl", gateway.url);
  project.provide("gatewayStateDir", gateway.stateDir);
  project.provide("e2eFakeAnthropicUrl", fake.url);
  project.provide("e2eFakeMcpUrl", mcp.url);
  return async () => {
    await gateway.stop();
    await Promise.all([fake.close(), mcp.close()]);
  };
}
