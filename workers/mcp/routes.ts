// Placeholder: the MCP gateway endpoint /v1/mcp/<slug> (issue 6).
import { Hono } from "hono";
import type { AppEnv } from "../app-env";

export const mcpRoutes = new Hono<AppEnv>();
