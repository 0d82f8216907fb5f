// `node --import ./scripts/conformance/register-glob-sync.mjs …`: lets the conformance CLI
// (which imports `globSync` from "fs") run on Node 20. Does nothing on Node 22+, which has it.
import fs from "node:fs";
import { register } from "node:module";

if (typeof fs.globSync !== "function") {
  register("./glob-sync-hooks.mjs", import.meta.url);
}
