// Runs the repository's own wrangler (node_modules) as a child process, without blocking the
// event loop, and captures its output. Every run gets a non-interactive environment and no
// telemetry; CLOUDFLARE_API_BASE_URL and the credentials pass through from the caller.
import { spawn } from "node:child_process";
import { join } from "node:path";

/**
 * @param {string} root the repository root
 * @param {string[]} args wrangler's arguments
 * @param {{ cwd?: string, env?: Record<string, string> }} [options]
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
export function runWrangler(root, args, options = {}) {
  const bin = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
  return runNode(bin, args, { cwd: options.cwd ?? root, env: options.env });
}

/**
 * @param {string} script a Node script's path
 * @param {string[]} args
 * @param {{ cwd: string, env?: Record<string, string> }} options
 */
export function runNode(script, args, options) {
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    CI: "true",
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Wrangler's output without colour codes, for messages and parsing. */
export function plain(text) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what it removes
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** The last error wrangler printed (its "✘ [ERROR] ..." line), or the output's tail. */
export function wranglerError(result) {
  const text = plain(`${result.stdout}\n${result.stderr}`);
  const match = /\[ERROR\]\s*(.+)/.exec(text);
  return (match?.[1] ?? text.trim().split("\n").slice(-5).join("\n")).trim();
}
