// The loopback OTLP receiver (test/fakes/otlp-receiver.ts) as Worker tests drive it: over HTTP,
// one tenant per test, each with its own answers and its own record of what it received.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { Received, ReceiverControl } from "../fakes/otlp-receiver";

/** The receiver's collector base URL for one tenant. */
export const collector = (tenant: string) => `${env.FAKE_OTLP_URL}/${tenant}`;

/** How the tenant's collector answers from now on. */
export async function answerWith(tenant: string, how: ReceiverControl) {
  const res = await fetch(`${collector(tenant)}/_control`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(how),
  });
  expect(res.ok).toBe(true);
}

/** What the tenant's collector received so far. */
export async function received(tenant: string): Promise<Received> {
  return (await fetch(`${collector(tenant)}/_received`)).json();
}
