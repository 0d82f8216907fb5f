// The JSON-RPC messages of an MCP SSE stream, one by one: each `message` event's data parsed as
// JSON (events that are not JSON are skipped, as a client would). Stopping early cancels the
// stream.
import { SseParser } from "../../shared/sse";

export async function* sseMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const reader = body.getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      for (const event of done ? parser.end() : parser.push(value)) {
        if (event.event !== "message" || !event.data) continue;
        let message: unknown;
        try {
          message = JSON.parse(event.data);
        } catch {
          continue;
        }
        yield message;
      }
      if (done) return;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
