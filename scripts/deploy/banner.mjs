// What `npm run deploy` prints: the plan before it acts, and at the end what it did and the
// URLs, laid out like `npm start`'s welcome (scripts/start.mjs).

/** @param {string[]} lines @param {{ dryRun: boolean, account: string | null }} info */
export function printPlan(lines, info) {
  const where = info.account ? `account ${info.account}` : "the account of your credentials";
  console.log(
    `\nGatehouse deploy plan (${where}${info.dryRun ? ", dry run: nothing is changed" : ""}):`,
  );
  for (const line of lines) console.log(`  - ${line}`);
  console.log("");
}

/**
 * @param {{ origin: string, workerUrl: string | null, did: string[], setupToken: string | null,
 *   account: string }} info
 */
export function printDeployed(info) {
  const base = info.origin;
  console.log(`
Gatehouse is deployed (account ${info.account}).
  Dashboard:    ${base}
  LLM proxy:    ${base}/v1/anthropic/<proxy-id>  (or ${base}/v1/anthropic for the default)
  MCP gateways: ${base}/v1/mcp/<slug>  (OAuth: ${base}/.well-known/oauth-authorization-server)
  Admin API:    ${base}/api   (OpenAPI: ${base}/api/openapi.json)${
    info.workerUrl ? `\n  Worker:       ${info.workerUrl}` : ""
  }

What it did:
${info.did.map((line) => `  - ${line}`).join("\n")}
`);
  if (info.setupToken) {
    console.log(`First run: open ${base} to create the first admin, with this setup token
(shown once; it is the Worker's SETUP_TOKEN secret):
  Setup token:  ${info.setupToken}
  First-run URL: ${base}
`);
  } else {
    console.log(`SETUP_TOKEN was already set (the first deploy printed it). If it is lost and nobody has
set up Gatehouse yet, replace it: npx wrangler secret put SETUP_TOKEN --name gatehouse
`);
  }
}
