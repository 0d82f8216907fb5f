// Reading log rows in tests: rows reach D1 from the gate's alarm, which tests run directly.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { vi } from "vitest";
import type { LlmRequestRow } from "../../d1/schema";
import type { apiClient } from "./helpers";

/** Runs the gate's flush until `count` rows are visible to the admin API, and returns them. */
export async function flushedLogs(
  client: ReturnType<typeof apiClient>,
  principal: string,
  count: number,
  query = "",
): Promise<(LlmRequestRow & { userEmail: string | null })[]> {
  const gate = env.USER_GATE.get(env.USER_GATE.idFromName(principal));
  return vi.waitFor(
    async () => {
      await runDurableObjectAlarm(gate);
      const { data } = await client.json<{ data: (LlmRequestRow & { userEmail: string | null })[] }>(
        `/logs/llm?limit=200${query}`,
      );
      if (data.length < count) throw new Error(`only ${data.length} of ${count} log rows yet`);
      return data;
    },
    { timeout: 5000, interval: 20 },
  );
}
