// Module resolution hooks (registered by register-glob-sync.mjs): when the conformance CLI
// imports "fs", give it fs-with-glob-sync.mjs instead, so it loads on Node 20.
const shim = new URL("./fs-with-glob-sync.mjs", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const fromConformance = context.parentURL?.includes("/@modelcontextprotocol/conformance/");
  if (fromConformance && (specifier === "fs" || specifier === "node:fs")) {
    return { url: shim, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
