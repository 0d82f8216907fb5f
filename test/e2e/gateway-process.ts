// Starts Gatehouse exactly as `npm start` does (site built, Pages + Worker on one origin),
// with fresh local state in a temp directory and on a free port, and stops it by its process
// group.
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunningGateway {
  url: string;
  /** Its local state (D1, Durable Objects), for `wrangler d1 execute --local --persist-to`. */
  stateDir: string;
  stop: () => Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string) {
  // Building the site and starting workerd on a busy 2-core machine: generous, under HOOK_MS.
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The gateway did not come up:\n${output()}`);
}

/** `env` adds to the environment npm start runs with (GATEHOUSE_DEV_VARS, for one). */
export async function startGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
  let output = "";
  // Everything wrangler says goes to a file for people to read after a run: a reload of the
  // Worker in the middle of a test (wrangler answers 503 "Your worker restarted mid-request")
  // is named there, with what changed.
  const logDir = join(process.cwd(), "test-results", "gateways");
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${port}.log`);
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: {
      ...process.env,
      WRANGLER_LOG_LEVEL: "info",
      ...env,
      PORT: String(port),
      GATEHOUSE_STATE_DIR: stateDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const collect = (d: Buffer) => {
    const text = d.toString();
    output += text;
    appendFileSync(logFile, `${new Date().toISOString()} ${text}`);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await exited;
    }
    const reloads = output.split("Reloading local server").length - 1;
    if (reloads > 0) {
      console.warn(
        `The gateway on port ${port} reloaded ${reloads} time(s) while tests ran: see ${logFile}`,
      );
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(url, child, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stateDir, stop };
}
