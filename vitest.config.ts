import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Three projects: pure logic in Node, the Worker inside workerd (Miniflare), and end-to-end
// runs of the real `wrangler dev` server driven by the official SDK clients.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          // Property tests beside pure Worker modules (no bindings) run here too.
          include: [
            "shared/**/*.test.ts",
            "test/fakes/**/*.test.ts",
            "workers/**/*.property.test.ts",
            "workers/observability/**/*.test.ts",
            "scripts/rotate-key.test.ts",
            "scripts/deploy/**/*.test.ts",
          ],
        },
      },
      {
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("./d1/migrations"),
                FAKE_ANTHROPIC_URL: inject("fakeAnthropicUrl"),
                FAKE_OIDC_URL: inject("fakeOidcUrl"),
                FAKE_MCP_URL: inject("fakeMcpUrl"),
                FAKE_OTLP_URL: inject("fakeOtlpUrl"),
                ENCRYPTION_KEY: "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyYnl0ZXM=",
                UPSTREAM_TIMEOUT_MS: "1500",
                ENVIRONMENT: "test",
                SETUP_TOKEN: "test-setup-token",
              },
              // The telemetry consumer's batches close after 50 ms here, not seconds, so tests
              // see log rows quickly; everything else is as wrangler.toml declares it.
              queueConsumers: {
                "gatehouse-telemetry": {
                  maxBatchSize: 100,
                  maxBatchTimeout: 0.05,
                  maxRetries: 100,
                  deadLetterQueue: "gatehouse-telemetry-dead",
                },
                "gatehouse-telemetry-dead": { maxBatchSize: 100, maxBatchTimeout: 0.05 },
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          setupFiles: ["./test/workers/setup.ts"],
          globalSetup: ["./test/fakes/global-setup.ts"],
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["./test/e2e/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
