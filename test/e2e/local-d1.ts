// Writes into the shared gateway's own local D1 from an end-to-end test, with
// `wrangler d1 execute --local` against its state directory: the running workerd reads the same
// SQLite files. For what nothing outside the gateway can produce on purpose (a dead letter, a
// day of past traffic); there is no test-only path in the gateway itself.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const WRANGLER = join(process.cwd(), "node_modules", "wrangler", "bin", "wrangler.js");

/** Runs `sql` (one statement or many) against the gateway's local D1; throws if wrangler fails. */
export function executeLocalD1(stateDir: string, sql: string): void {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-d1-"));
  const file = join(dir, "statements.sql");
  writeFileSync(file, sql);
  try {
    const run = spawnSync(
      process.execPath,
      [WRANGLER, "d1", "execute", "DB", "--local", "--persist-to", stateDir, "--file", file],
      {
        encoding: "utf8",
        env: {
          ...process.env,
          CI: "true",
          WRANGLER_SEND_METRICS: "false",
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
        },
      },
    );
    if (run.status !== 0) {
      throw new Error(`wrangler d1 execute failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
