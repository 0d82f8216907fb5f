// One MCP session (Mcp-Session-Id) of one user at one gateway. Work in progress: see
// workers/mcp/README.md once the endpoint lands.
import { DurableObject } from "cloudflare:workers";

export class McpSession extends DurableObject<Env> {}
