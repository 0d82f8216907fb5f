import type { TestProject } from "vitest/node";
import { startFakeAnthropic } from "./anthropic-upstream";
import { startFakeMcpUpstream } from "./mcp-upstream";
import { startFakeOidc } from "./oidc-provider";
import { startOtlpReceiver } from "./otlp-receiver";
import { startResultsSink } from "./results-sink";

declare module "vitest" {
  export interface ProvidedContext {
    fakeAnthropicUrl: string;
    fakeOidcUrl: string;
    fakeMcpUrl: string;
    /** POST a JSON document to `<url>/<name>` to keep it as test-results/<name>.json. */
    resultsSinkUrl: string;
    /** The OTLP collector; `<url>/<tenant>/v1/traces`, control at `<url>/<tenant>/_control`. */
    fakeOtlpUrl: string;
  }
}

/**
 * One of each fake per test run. Workers tests run inside workerd and cannot share objects with
 * this process, so they get only the URLs and drive or inspect the fakes over HTTP (the fake
 * Anthropic's `/_fake/requests`, the fake identity provider's and the fake MCP servers' per-tenant `/_fake/*` routes).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [anthropic, oidc, mcp, results, otlp] = await Promise.all([
    startFakeAnthropic(),
    startFakeOidc(),
    startFakeMcpUpstream(),
    startResultsSink(),
    startOtlpReceiver(),
  ]);
  project.provide("fakeAnthropicUrl", anthropic.url);
  project.provide("fakeOidcUrl", oidc.url);
  project.provide("fakeMcpUrl", mcp.url);
  project.provide("resultsSinkUrl", results.url);
  project.provide("fakeOtlpUrl", otlp.url);
  return async () => {
    await Promise.all([
      anthropic.close(),
      oidc.close(),
      mcp.close(),
      results.close(),
      otlp.close(),
    ]);
  };
}
