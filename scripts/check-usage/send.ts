// One Messages request through a real socket, as Claude Desktop sends it with the profile's
// keys, whose client may walk away: its socket closed after some events or some time, as a
// user closing the app would. Used by `npm run check:usage` and `npm run soak`.
import { request } from "node:http";
import type { AdminSession } from "./arrange";
import type { Abort } from "./plan";

export interface Message {
  agentId: string;
  content: string;
  stream: boolean;
  abort?: Abort | undefined;
}

/** Resolves with the status the client saw (undefined if none came) once it is done or left. */
export function send(
  gateway: string,
  session: AdminSession,
  m: Message,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    let status: number | undefined;
    let text = "";
    let leaving = false;
    const done = () => {
      clearTimeout(timer);
      resolve(status);
    };
    const req = request(`${gateway}/v1/anthropic/${session.proxyId}/v1/messages`, {
      method: "POST",
      headers: {
        ...session.headers,
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "x-archestra-agent-id": m.agentId,
      },
    });
    const leave = () => {
      req.destroy();
      done();
    };
    const abort = m.abort;
    const timer = abort?.kind === "after-ms" ? setTimeout(leave, abort.ms) : undefined;
    req.on("response", (res) => {
      status = res.statusCode;
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (abort?.kind !== "after-events" || leaving) return;
        text += chunk;
        if (text.split("\n\n").length - 1 < abort.events) return;
        leaving = true;
        setTimeout(leave, abort.delayMs);
      });
      res.on("end", done);
      res.on("error", done);
      res.on("close", done);
    });
    req.on("error", done);
    req.end(
      JSON.stringify({
        model: "claude-haiku-4-5-20251001",
        max_tokens: 4096,
        stream: m.stream,
        messages: [{ role: "user", content: m.content }],
      }),
    );
  });
}
