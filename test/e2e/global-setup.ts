// End-to-end runs share one gateway started as `npm start` does, beside the fake Anthropic
// upstream on loopback.
import type { TestProject } from "vitest/node";
import { startFakeAnthropic } from "../fakes/anthropic-upstream";
import { startGateway } from "./gateway-process";

declare module "vitest" {
  export interface ProvidedContext {
    gatewayUrl: string;
    e2eFakeAnthropicUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const fake = await startFakeAnthropic();
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway();
  } catch (err) {
    await fake.close();
    throw err;
  }
  project.provide("gatewayUrl", gateway.url);
  project.provide("e2eFakeAnthropicUrl", fake.url);
  return async () => {
    await gateway.stop();
    await fake.close();
  };
}
