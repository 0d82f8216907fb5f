// Reading log rows in tests: rows reach D1 through the telemetry queue, whose consumer the test
// pool runs on its own after the batch timeout (shortened for tests in vitest.config.ts).
import { vi } from "vitest";
import type { LlmRequestRow } from "../../d1/schema";
import type { apiClient } from "./helpers";

export type LogRow = LlmRequestRow & { userEmail: string | null; unpriced: boolean };

/**
 * Waits until a logged row satisfies `match` (the row leaves after the response, through the
 * queue), then returns that row and all rows.
 */
export async function loggedRow(
  client: ReturnType<typeof apiClient>,
  _principal: string,
  match: (row: LogRow) => boolean,
): Promise<{ row: LogRow; rows: LogRow[] }> {
  return vi.waitFor(
    async () => {
      const { data } = await client.json<{ data: LogRow[] }>("/logs/llm?limit=200");
      const row = data.find(match);
      if (!row) throw new Error(`no matching log row among ${data.length}`);
      return { row, rows: data };
    },
    { timeout: 10_000, interval: 25 },
  );
}
