// /api/mcp-servers: the upstream MCP servers (Streamable HTTP) the gateways aggregate. Their
// credentials are sealed on the row (workers/mcp/upstream-auth.ts) and never come back. Every
// save runs the connection test, which lists the server's tools; each tool can be switched
// off, which hides it from every gateway the server is in.
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { type McpServer, mcpGatewayServers, mcpServers, mcpServerTools } from "../../d1/schema";
import type { McpServerSaved, McpToolView } from "../../shared/api-types";
import { newId } from "../../shared/ids";
import { db } from "../db";
import { conflict, notFound } from "../errors";
import { forgetGatewayCache } from "../mcp/gateway-cache";
import { sealUpstreamAuth, UpstreamAuthInput } from "../mcp/upstream-auth";
import { testConnection } from "./mcp/connection-test";
import { findOrgServer, serverViewOf, serverViews } from "./mcp/server-views";
import { route } from "./route";

// No underscores: the gateway joins server and tool as `<server>__<tool>`.
const ServerName = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/,
    "1 to 32 lowercase letters, digits and inner hyphens (it prefixes the server's tools)",
  );

const ServerUrl = z
  .string()
  .trim()
  .max(2048)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "an absolute http:// or https:// URL" });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: "an absolute http:// or https:// URL" });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "put credentials in auth, not in the URL" });
    }
  });

const Description = z.string().trim().max(500).nullable();
const TimeoutMs = z.number().int().min(1_000).max(300_000);

const ServerInput = z.object({
  name: ServerName,
  description: Description.optional(),
  url: ServerUrl,
  auth: UpstreamAuthInput.default({ kind: "none" }),
  timeoutMs: TimeoutMs.default(30_000),
});

const ServerPatch = z
  .object({
    name: ServerName.optional(),
    description: Description.optional(),
    url: ServerUrl.optional(),
    /** Absent: keep the stored credential. */
    auth: UpstreamAuthInput.optional(),
    timeoutMs: TimeoutMs.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: "give at least one of name, description, url, auth, timeoutMs",
  });

const nameTaken = (name: string) =>
  conflict(`An MCP server named '${name}' already exists in this organisation.`);

const isUniqueViolation = (err: unknown) =>
  err instanceof Error && /UNIQUE constraint failed/i.test(`${err.message} ${String(err.cause)}`);

/** Tests the stored server, then answers with its fresh view and the test's outcome. */
async function savedAnswer(env: Env, row: McpServer): Promise<McpServerSaved> {
  const test = await testConnection(env, row);
  const [fresh] = await db(env).select().from(mcpServers).where(eq(mcpServers.id, row.id));
  const view = await serverViewOf(env, fresh ?? row);
  return { ...view, test };
}

export const mcpServerRoutes = [
  route({
    method: "get",
    path: "/mcp-servers",
    summary: "List the organisation's upstream MCP servers with their tools",
    access: "mcpServer:read",
    async handler(c) {
      const orgId = c.get("user").orgId;
      const rows = await db(c.env)
        .select()
        .from(mcpServers)
        .where(eq(mcpServers.orgId, orgId))
        .orderBy(asc(mcpServers.name));
      return c.json({ data: await serverViews(c.env, orgId, rows) });
    },
  }),
  route({
    method: "get",
    path: "/mcp-servers/:id",
    summary: "One upstream MCP server",
    access: "mcpServer:read",
    async handler(c) {
      return c.json(await serverViewOf(c.env, await findOrgServer(c, c.req.param("id") ?? "")));
    },
  }),
  route({
    method: "post",
    path: "/mcp-servers",
    summary:
      "Add an upstream MCP server; its connection is tested and its tools listed (it is saved even when the test fails)",
    access: "mcpServer:create",
    body: ServerInput,
    async handler(c, { body }) {
      const id = newId("mcs");
      const now = Date.now();
      const row: McpServer = {
        id,
        orgId: c.get("user").orgId,
        name: body.name,
        description: body.description ?? null,
        url: body.url,
        ...(await sealUpstreamAuth(c.env, id, body.auth)),
        timeoutMs: body.timeoutMs,
        lastTestedAt: null,
        lastTestError: null,
        createdAt: now,
        updatedAt: now,
      };
      const result = await db(c.env).insert(mcpServers).values(row).onConflictDoNothing();
      if (result.meta.changes === 0) throw nameTaken(body.name);
      forgetGatewayCache();
      return c.json(await savedAnswer(c.env, row), 201);
    },
  }),
  route({
    method: "patch",
    path: "/mcp-servers/:id",
    summary:
      "Change an upstream MCP server (auth absent: the stored credential is kept); the connection is tested again",
    access: "mcpServer:update",
    body: ServerPatch,
    async handler(c, { body }) {
      const current = await findOrgServer(c, c.req.param("id") ?? "");
      const row: McpServer = {
        ...current,
        ...(body.name !== undefined && { name: body.name }),
        ...(body.description !== undefined && { description: body.description }),
        ...(body.url !== undefined && { url: body.url }),
        ...(body.timeoutMs !== undefined && { timeoutMs: body.timeoutMs }),
        ...(body.auth !== undefined && (await sealUpstreamAuth(c.env, current.id, body.auth))),
        // Strictly later: the decrypted-credential cache is keyed by it.
        updatedAt: Math.max(Date.now(), current.updatedAt + 1),
      };
      try {
        await db(c.env)
          .update(mcpServers)
          .set({
            name: row.name,
            description: row.description,
            url: row.url,
            authKind: row.authKind,
            authCiphertext: row.authCiphertext,
            authHint: row.authHint,
            timeoutMs: row.timeoutMs,
            updatedAt: row.updatedAt,
          })
          .where(eq(mcpServers.id, row.id));
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken(row.name);
        throw err;
      }
      forgetGatewayCache();
      return c.json(await savedAnswer(c.env, row));
    },
  }),
  route({
    method: "post",
    path: "/mcp-servers/:id/test",
    summary: "Test the connection to an upstream MCP server now and refresh its tool list",
    access: "mcpServer:update",
    async handler(c) {
      const row = await findOrgServer(c, c.req.param("id") ?? "");
      const result = await testConnection(c.env, row);
      forgetGatewayCache();
      return c.json(result);
    },
  }),
  route({
    method: "patch",
    path: "/mcp-servers/:id/tools/:tool",
    summary:
      "Switch one of a server's tools on or off (the tool name URL-encoded); off hides it in every gateway",
    access: "mcpServer:update",
    body: z.object({ enabled: z.boolean() }),
    async handler(c, { body }) {
      const server = await findOrgServer(c, c.req.param("id") ?? "");
      const name = c.req.param("tool") ?? "";
      const [tool] = await db(c.env)
        .update(mcpServerTools)
        .set({ enabled: body.enabled })
        .where(and(eq(mcpServerTools.serverId, server.id), eq(mcpServerTools.name, name)))
        .returning();
      if (!tool)
        throw notFound(
          "This server has no tool by that name (test the connection to refresh its tools).",
        );
      forgetGatewayCache();
      const view: McpToolView = {
        name: tool.name,
        description: tool.description,
        enabled: tool.enabled,
      };
      return c.json(view);
    },
  }),
  route({
    method: "delete",
    path: "/mcp-servers/:id",
    summary: "Delete an upstream MCP server: it leaves every gateway, and its tool switches go",
    access: "mcpServer:delete",
    async handler(c) {
      const server = await findOrgServer(c, c.req.param("id") ?? "");
      const d = db(c.env);
      await d.batch([
        d.delete(mcpGatewayServers).where(eq(mcpGatewayServers.serverId, server.id)),
        d.delete(mcpServerTools).where(eq(mcpServerTools.serverId, server.id)),
        d.delete(mcpServers).where(eq(mcpServers.id, server.id)),
      ]);
      forgetGatewayCache();
      return c.body(null, 204);
    },
  }),
];
