// Sending a finished request's telemetry: one message on the queue, off the response path. If
// the queue will not take it, the message is kept by the principal's gate, which sends it again
// from its alarm (spool.ts); if even that fails, the row is written to the Worker's log, where
// it can be recovered, rather than nowhere.
import { userGate } from "../limits/gates";
import type { TelemetryMessage } from "./message";

export async function sendTelemetry(
  env: Env,
  message: TelemetryMessage,
  principal: string,
): Promise<void> {
  try {
    await env.TELEMETRY.send(message, { contentType: "json" });
    return;
  } catch (err) {
    console.error(
      `telemetry: queue refused ${message.row.id}, keeping it at its gate: ${String(err)}`,
    );
  }
  try {
    await userGate(env, principal).spoolTelemetry([message]);
  } catch (err) {
    console.error(
      `telemetry: gate ${principal} could not keep ${message.row.id} (${String(err)}); message: ${JSON.stringify(message)}`,
    );
  }
}
