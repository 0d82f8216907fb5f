// Reading log rows in tests: rows reach D1 from the gate's alarm, which tests run directly.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { vi } from "vitest";
import type { LlmRequestRow } from "../../d1/schema";
import type { apiClient } from "./helpers";

export type LogRow = LlmRequestRow & { userEmail: string | null; unpriced: boolean };

/**
 * Runs the gate's flush until a logged row satisfies `match` (settling happens after the
 * response, so the row may take a moment), then returns that row and all rows.
 */
export async function loggedRow(
  client: ReturnType<typeof apiClient>,
  principal: string,
  match: (row: LogRow) => boolean,
): Promise<{ row: LogRow; rows: LogRow[] }> {
  const gate = env.USER_GATE.get(env.USER_GATE.idFromName(principal));
  return vi.waitFor(
    async () => {
      await runDurableObjectAlarm(gate);
      const { data } = await client.json<{ data: LogRow[] }>("/logs/llm?limit=200");
      const row = data.find(match);
      if (!row) throw new Error(`no matching log row among ${data.length}`);
      return { row, rows: data };
    },
    { timeout: 5000, interval: 20 },
  );
}
