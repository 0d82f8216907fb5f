/**
 * Where tests inside workerd leave figures for people and docs: workerd has no access to the
 * host's files, so a test POSTs a JSON document to `<url>/<name>` and this loopback server,
 * running in the test process, writes it to `test-results/<name>.json` (a git-ignored folder).
 * Only JSON bodies under simple names are taken; anything else is refused.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";

const NAME = /^\/([a-z0-9][a-z0-9-]{0,63})$/;
const MAX_BYTES = 1024 * 1024;

export async function startResultsSink(
  dir = resolve("test-results"),
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const name = NAME.exec(req.url ?? "")?.[1];
    if (req.method !== "POST" || !name) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (size > MAX_BYTES || !isJson(text)) {
        res.writeHead(400).end();
        return;
      }
      mkdir(dir, { recursive: true })
        .then(() => writeFile(join(dir, `${name}.json`), `${text}\n`))
        .then(
          () => res.writeHead(204).end(),
          () => res.writeHead(500).end(),
        );
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
