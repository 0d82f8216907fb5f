// An upstream's own server-to-client stream (GET), held open while a client listens to the
// gateway's, so the upstream's list changes reach the client.
import { SseParser } from "../../shared/sse";
import { type RpcNotification, RpcNotificationSchema } from "./json-rpc";
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
  const headers = new Headers(connection.target.headers);
  headers.set("accept", "text/event-stream");
  if (connection.state.sessionId) headers.set("mcp-session-id", connection.state.sessionId);
  if (connection.state.protocolVersion) {
    headers.set("mcp-protocol-version", connection.state.protocolVersion);
  }
  const res = await fetch(connection.target.url, { method: "GET", headers, signal });
  if (!res.ok || !res.body || !(res.headers.get("content-type") ?? "").includes("event-stream")) {
    await res.body?.cancel();
    return;
  }
  const reader = res.body.getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      for (const event of done ? parser.end() : parser.push(value)) {
        if (!event.data) continue;
        try {
          const note = RpcNotificationSchema.safeParse(JSON.parse(event.data));
          if (note.success) onNotification(note.data);
        } catch {
          // not JSON: ignore, as a client would
        }
      }
      if (done) return;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
