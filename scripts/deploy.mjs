#!/usr/bin/env node
// `npm run deploy`: deploy Gatehouse to your Cloudflare account, or upgrade it, in one command
// (issue 18). Needs only `npx wrangler login`, or CLOUDFLARE_API_TOKEN and
// CLOUDFLARE_ACCOUNT_ID. Options: `--dry-run` (print the plan, change nothing), `--domain
// <host>` (a custom domain for the dashboard: PUBLIC_ORIGIN becomes https://<host>),
// `--route-v1` (with --domain: route <host>/v1/* straight to the Worker, skipping the Pages hop).
//
// Resources are found by name and reused, and only the missing ones are created: the D1
// database, the OAuth KV namespace, the telemetry queues, the Pages project. Their ids go into
// a generated config, .deploy/wrangler.toml (git-ignored), derived from the committed
// wrangler.toml and passed to wrangler with --config; we do not rely on wrangler's own
// provisioning because it writes ids back into the committed file and cannot tell us before
// it acts what it will create, which --dry-run and the name-conflict checks need.
// Order: every check (reads only) before any write; then resources, the D1 migrations
// remotely, and only then the Worker (so a failed migration leaves the old Worker live), its
// missing secrets generated (ENCRYPTION_KEY is never replaced), then the dashboard.
//
// Environment for tests: CLOUDFLARE_API_BASE_URL (wrangler honours it too),
// GATEHOUSE_DEPLOY_DIR (where the generated config goes; default .deploy),
// GATEHOUSE_MIGRATIONS_DIR (default d1/migrations).
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { printDeployed, printPlan } from "./deploy/banner.mjs";
import { CloudflareApi, chooseAccount, wranglerToken } from "./deploy/cloudflare.mjs";
import { writeDeployConfig } from "./deploy/config.mjs";
import { DeployStop } from "./deploy/errors.mjs";
import { inspectAccount, planLines, readTargets } from "./deploy/plan.mjs";
import {
  applyMigrations,
  deployPages,
  deployWorker,
  ensureDomain,
  ensureResources,
  newSecrets,
  zoneFor,
} from "./deploy/steps.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const deployDir = resolve(process.env.GATEHOUSE_DEPLOY_DIR ?? resolve(root, ".deploy"));
const migrationsDir = resolve(
  process.env.GATEHOUSE_MIGRATIONS_DIR ?? resolve(root, "d1", "migrations"),
);

const USAGE = `npm run deploy [-- options]: deploy Gatehouse to Cloudflare, or upgrade it.
  --dry-run        print the plan and change nothing
  --domain <host>  serve the dashboard on this custom domain (PUBLIC_ORIGIN = https://<host>)
  --route-v1       with --domain: route <host>/v1/* straight to the Worker
Credentials: \`npx wrangler login\`, or CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID.`;

/** The SETUP_TOKEN this run set on the Worker and has not printed yet. */
let unprintedSetupToken = null;

const Options = z
  .object({
    dryRun: z.boolean(),
    routeV1: z.boolean(),
    domain: z
      .string()
      .regex(
        /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
        "--domain must be a hostname like gatehouse.example.com",
      )
      .optional(),
  })
  .refine((o) => !o.routeV1 || o.domain, { message: "--route-v1 needs --domain <host>" });

function parseArgs(argv) {
  const raw = { dryRun: false, routeV1: false, domain: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    if (arg === "--dry-run") raw.dryRun = true;
    else if (arg === "--route-v1") raw.routeV1 = true;
    else if (arg === "--domain") raw.domain = argv[++i] ?? "";
    else if (arg.startsWith("--domain=")) raw.domain = arg.slice("--domain=".length);
    else
      throw new DeployStop(
        `Unknown option ${arg}.`,
        "Use --dry-run, --domain <host> or --route-v1.",
      );
  }
  const parsed = Options.safeParse(raw);
  if (!parsed.success) {
    throw new DeployStop(
      parsed.error.issues.map((i) => i.message).join("; "),
      "Fix the option and run again.",
    );
  }
  return parsed.data;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const targets = readTargets(root, migrationsDir);
  const { token, reason } = await wranglerToken(root);
  if (!token) {
    if (options.dryRun) {
      printPlan(planLines(targets, null, options), { dryRun: true, account: null });
      console.log(`Not logged in (${reason}): the plan above is what would be checked.`);
      console.log(
        "Log in with `npx wrangler login` (or set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID) to see what exists.",
      );
      return;
    }
    throw new DeployStop(
      `Not logged in to Cloudflare (${reason}).`,
      "Run `npx wrangler login`, or set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID, then run `npm run deploy` again.",
    );
  }
  const api = new CloudflareApi(token);
  const account = await chooseAccount(api);
  api.accountId = account.id;
  // Wrangler must deploy to the account we checked, even with a login that reaches several.
  process.env.CLOUDFLARE_ACCOUNT_ID = account.id;
  const accountLabel = `${account.name} (${account.id})`;
  const state = await inspectAccount(api, targets);
  printPlan(planLines(targets, state, options), { dryRun: options.dryRun, account: accountLabel });
  if (options.dryRun) return;

  const did = [];
  const route =
    options.routeV1 && options.domain
      ? { pattern: `${options.domain}/v1/*`, zone: await zoneFor(api, options.domain) }
      : null;
  const { d1Id, kvId, pages } = await ensureResources(api, targets, state, did);
  const origin = `https://${options.domain ?? pages.subdomain}`;
  const configPath = writeDeployConfig({
    root,
    deployDir,
    migrationsDir,
    d1Id,
    kvId,
    publicOrigin: origin,
    route,
  });
  await applyMigrations(root, configPath, did);
  const secrets = newSecrets(state.secrets);
  const workerUrl = await deployWorker(root, deployDir, configPath, secrets, did);
  // From here the token is live: a later stop still shows it, or it would be lost.
  unprintedSetupToken = secrets.SETUP_TOKEN ?? null;
  if (route) did.push(`routed ${route.pattern} to the Worker`);
  await deployPages(root, deployDir, targets, did);
  if (options.domain) await ensureDomain(api, targets, pages, options.domain, did);
  printDeployed({
    origin,
    workerUrl,
    did,
    setupToken: secrets.SETUP_TOKEN ?? null,
    account: accountLabel,
  });
}

main().catch((err) => {
  if (err instanceof DeployStop) {
    console.error(`\nnpm run deploy stopped: ${err.message}\nWhat to do: ${err.todo}`);
  } else {
    console.error(`\nnpm run deploy failed: ${err.stack ?? err}`);
    console.error("What to do: run `npm run deploy` again; it reuses everything already done.");
  }
  if (unprintedSetupToken) {
    console.error(
      `The Worker's new SETUP_TOKEN (shown once; the next run will not show it): ${unprintedSetupToken}`,
    );
  }
  process.exit(1);
});
