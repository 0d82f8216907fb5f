// The connection test of an upstream MCP server: list its tools with the stored credential and
// record what happened on the row (last_tested_at, last_test_error) and in mcp_server_tools
// (new tools enabled; known ones keep their switch, get the fresh description and seen_at).
// A failing upstream is an answer, never an error of the API.
import type { McpServer } from "../../../d1/schema";
import type { McpServerTestResult } from "../../../shared/api-types";
import { upstreamHeaders } from "../../mcp/upstream-auth";
import { UpstreamError, UpstreamRpcError } from "../../mcp/upstream-client";
import { listUpstreamTools } from "../../mcp/upstream-lists";
import { latestTools } from "./server-views";

/** A test never waits longer than this, whatever the server's own call timeout. */
const TEST_TIMEOUT_MS = 10_000;
const MAX_DESCRIPTION = 4_000;

type Listed = { name: string; description: string | null }[];

async function listTools(env: Env, row: McpServer): Promise<Listed> {
  return listUpstreamTools({
    url: row.url,
    headers: await upstreamHeaders(env, row),
    timeoutMs: Math.min(row.timeoutMs, TEST_TIMEOUT_MS),
  });
}

function failureMessage(err: unknown): string {
  if (err instanceof UpstreamError) return err.message;
  if (err instanceof UpstreamRpcError) {
    return `The upstream server refused to list its tools: ${err.message}`.slice(0, 500);
  }
  // Not the upstream's doing as far as we can tell: keep the detail in the Worker's log.
  console.error(`mcp connection test: unexpected ${err instanceof Error ? err.name : "error"}`);
  return "The connection test failed unexpectedly.";
}

const UPSERT_TOOL = `
INSERT INTO mcp_server_tools (server_id, org_id, name, description, enabled, seen_at)
SELECT id, org_id, ?, ?, 1, ? FROM mcp_servers WHERE id = ?
ON CONFLICT (server_id, name) DO UPDATE
  SET description = excluded.description, seen_at = excluded.seen_at`;

/** Runs the test against `row` as stored and records its outcome. */
export async function testConnection(env: Env, row: McpServer): Promise<McpServerTestResult> {
  const started = Date.now();
  let listed: Listed = [];
  let error: string | null = null;
  try {
    listed = await listTools(env, row);
  } catch (err) {
    error = failureMessage(err);
  }
  const durationMs = Date.now() - started;
  // seen_at equals last_tested_at, which is how a view finds the tools of the last listing.
  const testedAt = Math.max(Date.now(), (row.lastTestedAt ?? 0) + 1);
  const unique = [...new Map(listed.map((t) => [t.name, t])).values()];
  await env.DB.batch([
    env.DB.prepare(
      "UPDATE mcp_servers SET last_tested_at = ?, last_test_error = ? WHERE id = ?",
    ).bind(testedAt, error, row.id),
    ...unique.map((t) =>
      env.DB.prepare(UPSERT_TOOL).bind(
        t.name,
        t.description?.slice(0, MAX_DESCRIPTION) ?? null,
        testedAt,
        row.id,
      ),
    ),
  ]);
  const tools = error ? [] : ((await latestTools(env, { serverId: row.id })).get(row.id) ?? []);
  return { ok: error === null, error, tools, durationMs };
}
