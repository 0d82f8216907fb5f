// The local secrets file `npm start` runs the Worker with (.dev.vars, dotenv syntax). A missing
// file is made from the example; a file without an ENCRYPTION_KEY (written by hand) gets one;
// a key the Worker could not use stops npm start before anything runs, rather than every save
// of a secret failing later with a 500.
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";

const newKey = () => randomBytes(32).toString("base64");

/** A problem with the secrets file that the person running npm start has to fix. */
export class DevVarsError extends Error {}

/**
 * Makes `path` ready to run with, or throws a DevVarsError saying what is wrong and how to fix
 * it. Everything already in the file is kept.
 */
export function ensureDevVars(path, examplePath) {
  if (!existsSync(path)) {
    // Written, not copied: a new file gets the mode asked for (a copy keeps the example's,
    // readable by everyone on the machine).
    const text = readFileSync(examplePath, "utf8")
      .replace(/^ENCRYPTION_KEY=.*$/m, `ENCRYPTION_KEY=${newKey()}`)
      .replace(/^SETUP_TOKEN=.*$/m, `SETUP_TOKEN=${randomBytes(24).toString("base64url")}`);
    writeFileSync(path, text, { mode: 0o600 });
    console.log(
      `Created ${path} with a new local ENCRYPTION_KEY (keep it: it unlocks local secrets).`,
    );
  }
  let text = readFileSync(path, "utf8");
  const key = parseEnv(text).ENCRYPTION_KEY?.trim();
  if (!key) {
    text = withKey(text);
    writeFileSync(path, text);
    // It holds a secret now.
    chmodSync(path, 0o600);
    console.log(
      `Added a new local ENCRYPTION_KEY to ${path}, which had none (keep it: it unlocks local secrets).`,
    );
  } else {
    const problem = keyProblem(key);
    if (problem) throw new DevVarsError(badKeyMessage(path, problem));
  }
  // Local development: first-run setup then needs no SETUP_TOKEN.
  if (!/^ENVIRONMENT=/m.test(text)) {
    writeFileSync(
      path,
      `${text.replace(/\n*$/, "\n")}\n# Set by npm start.\nENVIRONMENT=development\n`,
    );
  }
}

/** The text with a new key: in place of the line that set it empty, else at the end. */
function withKey(text) {
  const lines = [...text.matchAll(/^[ \t]*(?:export[ \t]+)?ENCRYPTION_KEY[ \t]*=.*$/gm)];
  const last = lines.at(-1);
  const line = `ENCRYPTION_KEY=${newKey()}`;
  if (last?.index !== undefined) {
    return text.slice(0, last.index) + line + text.slice(last.index + last[0].length);
  }
  const note = "# Added by npm start: the AES-GCM key (32 bytes, base64) for secrets at rest.";
  return `${text.replace(/\n*$/, "\n")}\n${note}\n${line}\n`;
}

/**
 * Why the Worker could not use the key, or null. The Worker's rule (shared/crypto.ts): base64
 * or base64url, 32 bytes once decoded.
 */
function keyProblem(key) {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(key)) return "it is not base64";
  const bytes = Buffer.from(key.replace(/-/g, "+").replace(/_/g, "/"), "base64").length;
  return bytes === 32 ? null : `it decodes to ${bytes} bytes, not 32`;
}

// Says nothing of the key itself: the output of npm start ends up in logs and bug reports.
function badKeyMessage(path, problem) {
  return `ENCRYPTION_KEY in ${path} cannot be used: ${problem}.
It must be 32 bytes encoded as base64 (44 characters). Make one with
  node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"
and put it in place of the current value, or delete the ENCRYPTION_KEY line and npm start adds
a new one. Secrets saved under the old key (provider keys, upstream credentials, the SSO client
secret) then have to be entered again.`;
}

/**
 * A Worker config that reads its secrets from `devVars`. Wrangler reads them only from the
 * .dev.vars beside the config (`pages dev` gives the Worker it runs no --env-file), so for a
 * file kept elsewhere the config is written again, with absolute paths, into a private
 * directory beside a link to that file. The directory goes when the process exits.
 */
export async function workerConfigFor(devVars, root) {
  const { experimental_readRawConfig } = await import("wrangler");
  const { rawConfig } = experimental_readRawConfig({ config: join(root, "wrangler.toml") });
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-worker-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(devVars, join(dir, ".dev.vars"));
  const config = {
    ...rawConfig,
    main: resolve(root, rawConfig.main),
    d1_databases: rawConfig.d1_databases?.map((d) => ({
      ...d,
      migrations_dir: resolve(root, d.migrations_dir ?? "migrations"),
    })),
  };
  const path = join(dir, "wrangler.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}
