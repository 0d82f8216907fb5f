import type { TestProject } from "vitest/node";
import { startFakeAnthropic } from "./anthropic-upstream";

declare module "vitest" {
  export interface ProvidedContext {
    fakeAnthropicUrl: string;
  }
}

/**
 * One fake upstream per test run. Workers tests run inside workerd and cannot share objects with
 * this process, so they get only the URL and inspect traffic through the `/_fake/requests` route.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = await startFakeAnthropic();
  project.provide("fakeAnthropicUrl", fake.url);
  return () => fake.close();
}
