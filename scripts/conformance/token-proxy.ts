// A loopback HTTP proxy that adds `Authorization: Bearer <token>` to every request and passes
// it on to the gateway, streaming both ways (SSE included). The conformance suite's server mode
// sends no credentials, and the gateway's MCP endpoint is an OAuth-protected resource, so the
// suite talks to this proxy instead.
//
// Host and Origin naming the proxy are rewritten to the gateway's (so the gateway sees its own
// origin, as a real client would send it, and the token's audience matches); any other Host or
// Origin (the DNS-rebinding scenario sends `evil.example.com`) is passed on untouched, so the
// gateway's own checks answer it.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface TokenProxy {
  /** `http://127.0.0.1:<port>`: the gateway's paths are served under it unchanged. */
  url: string;
  /** How many requests it has forwarded. */
  forwarded(): number;
  close(): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
]);

function forwardedHeaders(
  incoming: IncomingHttpHeaders,
  proxyHost: string,
  gateway: URL,
  token: string,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  if (headers.host === proxyHost) headers.host = gateway.host;
  if (headers.origin === `http://${proxyHost}`) headers.origin = gateway.origin;
  if (headers.authorization === undefined) headers.authorization = `Bearer ${token}`;
  return headers;
}

export async function startTokenProxy(gatewayOrigin: string, token: string): Promise<TokenProxy> {
  const gateway = new URL(gatewayOrigin);
  let proxyHost = "";
  let count = 0;
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    count += 1;
    const upstream = request(
      {
        protocol: gateway.protocol,
        hostname: gateway.hostname,
        port: gateway.port,
        method: req.method,
        path: req.url,
        headers: forwardedHeaders(req.headers, proxyHost, gateway, token),
      },
      (answer) => {
        const headers: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, headers);
        // SSE: send each chunk as soon as it arrives.
        res.flushHeaders();
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      },
    );
    upstream.on("error", (err) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "token proxy: gateway unreachable", detail: err.message }));
    });
    // The client went away (for example it closed its GET SSE stream): drop the upstream leg.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const server: Server = createServer(handle);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  proxyHost = `127.0.0.1:${port}`;
  return {
    url: `http://${proxyHost}`,
    forwarded: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
