// `node:fs` plus `globSync` for Node 20, which lacks it (Node 22 added it). The conformance
// CLI imports `globSync` from "fs" at load time, though only its `tier-check` command calls it;
// glob-sync-hooks.mjs points the CLI's "fs" here. tinyglobby is already installed (vitest's).
import { globSync as tinyGlobSync } from "tinyglobby";

export * from "node:fs";
export { default } from "node:fs";

/** Node 22's `fs.globSync(pattern, { cwd })`: paths relative to `cwd`. */
export function globSync(pattern, options = {}) {
  return tinyGlobSync(pattern, { cwd: options.cwd, dot: true });
}
