import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      /** Test-only bindings, set in vitest.config.ts. */
      TEST_MIGRATIONS: D1Migration[];
      FAKE_ANTHROPIC_URL: string;
      /** The fake upstream MCP servers; `<url>/t/<tenant>/mcp` (test/fakes/mcp-upstream.ts). */
      FAKE_MCP_URL: string;
      /** The fake OTLP collector; `<url>/<tenant>/v1/traces` (test/fakes/otlp-receiver.ts). */
      FAKE_OTLP_URL: string;
    }
  }
}
