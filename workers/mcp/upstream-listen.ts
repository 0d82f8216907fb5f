// An upstream's own server-to-client stream (GET), held open while a client listens to the
// gateway's, so the upstream's list changes reach the client.
import { type RpcNotification, RpcNotificationSchema } from "./json-rpc";
import { sseMessages } from "./sse-messages";
import type { UpstreamConnection } from "./upstream-client";

/**
 * Holds the upstream's server-to-client SSE stream (GET) open and hands its notifications to
 * `onNotification` until `signal` aborts or the upstream ends it. An upstream that offers no
 * such stream (405) is fine: it then has nothing to tell between requests.
 */
export async function listenUpstream(
  connection: UpstreamConnection,
  onNotification: (n: RpcNotification) => void,
  signal: AbortSignal,
): Promise<void> {
  await connection.request("ping", undefined, { signal, timeoutMs: 10_000 });
  const headers = connection.headers();
  headers.set("accept", "text/event-stream");
  headers.delete("content-type");
  const res = await fetch(connection.target.url, { method: "GET", headers, signal });
  if (!res.ok || !res.body || !(res.headers.get("content-type") ?? "").includes("event-stream")) {
    await res.body?.cancel();
    return;
  }
  for await (const message of sseMessages(res.body)) {
    const note = RpcNotificationSchema.safeParse(message);
    if (note.success) onNotification(note.data);
  }
}
