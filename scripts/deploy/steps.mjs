// The deploy's writing steps, in the order that keeps a half-way failure safe to re-run:
// resources (create the missing ones by name), the generated config, the D1 migrations
// (remote, BEFORE the Worker changes: a failed migration stops with the old Worker still
// live), the Worker with any missing secrets, then the dashboard on Pages and its domain.
// Each step returns lines for the "what it did" list of the banner.
import { randomBytes } from "node:crypto";
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeployStop } from "./errors.mjs";
import { SECRETS } from "./plan.mjs";
import { plain, runNode, runWrangler, wranglerError } from "./wrangler.mjs";

/**
 * Creates what the inspection did not find. Returns the ids and what was done.
 * @param {import("./cloudflare.mjs").CloudflareApi} api
 * @param {ReturnType<typeof import("./plan.mjs").readTargets>} targets
 * @param {Awaited<ReturnType<typeof import("./plan.mjs").inspectAccount>>} state
 * @param {string[]} did what the deploy did, appended to
 */
export async function ensureResources(api, targets, state, did) {
  const created = (what) => did.push(`created ${what}`);
  const reused = (what) => did.push(`reused ${what}`);
  const taken = (what, err) =>
    new DeployStop(
      `Could not create ${what}: ${err.message}`,
      "Another resource may hold that name: rename or delete it in the Cloudflare dashboard, then run the deploy again.",
    );
  const attempt = async (what, create) => {
    try {
      return await create();
    } catch (err) {
      if (err instanceof DeployStop) throw err;
      throw taken(what, err);
    }
  };

  let d1Id = state.d1Id;
  const d1Label = `D1 database "${targets.d1Name}"`;
  if (d1Id) reused(d1Label);
  else {
    const db = await attempt(d1Label, () =>
      api.account("POST", "/d1/database", { body: { name: targets.d1Name } }),
    );
    d1Id = db.uuid;
    created(d1Label);
  }

  let kvId = state.kvId;
  const kvLabel = `KV namespace "${targets.kvTitle}"`;
  if (kvId) reused(kvLabel);
  else {
    const ns = await attempt(kvLabel, () =>
      api.account("POST", "/storage/kv/namespaces", { body: { title: targets.kvTitle } }),
    );
    kvId = ns.id;
    created(kvLabel);
  }

  for (const name of targets.queues) {
    const label = `queue "${name}"`;
    if (state.queues[name]) reused(label);
    else {
      await attempt(label, () => api.account("POST", "/queues", { body: { queue_name: name } }));
      created(label);
    }
  }

  let pages = state.pages;
  const pagesLabel = `Pages project "${targets.pagesProject}"`;
  if (pages) reused(pagesLabel);
  else {
    const project = await attempt(pagesLabel, () =>
      api.account("POST", "/pages/projects", {
        body: { name: targets.pagesProject, production_branch: "main" },
      }),
    );
    pages = { subdomain: project.subdomain, domains: project.domains ?? [] };
    created(pagesLabel);
  }
  return { d1Id, kvId, pages };
}

/** The zone (on this account) that holds `host`: its name, for the /v1 route. */
export async function zoneFor(api, host) {
  const labels = host.split(".");
  for (let i = 0; i < labels.length - 1; i++) {
    const name = labels.slice(i).join(".");
    const zones = (await api.call("GET", `/zones?name=${encodeURIComponent(name)}`)) ?? [];
    if (zones.length > 0) return name;
  }
  throw new DeployStop(
    `--route-v1: no zone on this account holds ${host}.`,
    "Add the domain's zone to this Cloudflare account, or deploy without --route-v1.",
  );
}

/**
 * `wrangler d1 migrations apply --remote`; stops (before the Worker changes) when one fails.
 * @returns {Promise<string[]>} the names of the migrations it applied
 */
export async function applyMigrations(root, configPath, did) {
  const result = await runWrangler(root, [
    "d1",
    "migrations",
    "apply",
    "DB",
    "--remote",
    "-c",
    configPath,
  ]);
  const text = plain(`${result.stdout}\n${result.stderr}`);
  const applied = [...new Set([...text.matchAll(/│\s*(\S+\.sql)\s*│\s*✅/g)].map((m) => m[1]))];
  if (result.code !== 0) {
    const failed = /│\s*(\S+\.sql)\s*│\s*❌/.exec(text)?.[1];
    throw new DeployStop(
      `${failed ? `Migration ${failed}` : "Applying the D1 migrations"} failed on Cloudflare: ${wranglerError(result)}` +
        (applied.length ? ` (applied before it: ${applied.join(", ")})` : ""),
      "The Worker was not changed and still runs the previous version. Fix the migration " +
        "(or the database), then run `npm run deploy` again: applied migrations are not re-run.",
    );
  }
  did.push(
    applied.length ? `applied migrations ${applied.join(", ")}` : "no new migrations to apply",
  );
  return applied;
}

/** New values for the secrets the Worker does not have yet (never for one it has). */
export function newSecrets(existing) {
  const values = {
    ENCRYPTION_KEY: () => randomBytes(32).toString("base64"),
    SETUP_TOKEN: () => randomBytes(24).toString("base64url"),
  };
  return Object.fromEntries(
    SECRETS.filter((name) => !existing.includes(name)).map((name) => [name, values[name]()]),
  );
}

/**
 * `wrangler deploy` with the generated config and, when some are missing, the new secrets
 * (a file only the owner can read, removed right after). Existing secrets are kept.
 * @returns {Promise<string | null>} the workers.dev URL wrangler printed, if any
 */
export async function deployWorker(root, deployDir, configPath, secrets, did) {
  const args = ["deploy", "-c", configPath];
  const secretsFile = join(deployDir, "secrets.json");
  const names = Object.keys(secrets);
  if (names.length > 0) {
    writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
    chmodSync(secretsFile, 0o600);
    args.push("--secrets-file", secretsFile);
  }
  let result;
  try {
    result = await runWrangler(root, args);
  } finally {
    rmSync(secretsFile, { force: true });
  }
  if (result.code !== 0) {
    throw new DeployStop(
      `Deploying the Worker failed: ${wranglerError(result)}`,
      "The migrations are applied; the previous Worker version (if any) still runs. Fix the cause and run `npm run deploy` again.",
    );
  }
  did.push("deployed the Worker");
  if (names.length > 0) did.push(`set secrets ${names.join(", ")}`);
  return /(https:\/\/\S+\.workers\.dev)/.exec(plain(result.stdout))?.[1] ?? null;
}

/**
 * Builds the dashboard into the deploy directory (never over `pages/dist`, which `npm start`
 * serves) and deploys it with `wrangler pages deploy` (its Functions and GATEWAY binding).
 */
export async function deployPages(root, deployDir, targets, did) {
  const vite = join(root, "node_modules", "vite", "bin", "vite.js");
  const outDir = join(deployDir, "pages-dist");
  const build = await runNode(
    vite,
    [
      "build",
      "--config",
      "pages/vite.config.ts",
      "--outDir",
      outDir,
      "--emptyOutDir",
      "--mode",
      "production",
      "--logLevel",
      "warn",
    ],
    { cwd: root, env: { NODE_ENV: "production" } },
  );
  if (build.code !== 0) {
    throw new DeployStop(
      `Building the dashboard failed: ${plain(build.stderr || build.stdout)
        .trim()
        .split("\n")
        .slice(-3)
        .join(" ")}`,
      "The Worker is deployed; fix the build (`npm run build:pages`) and run `npm run deploy` again.",
    );
  }
  const result = await runWrangler(root, [
    "pages",
    "deploy",
    outDir,
    "--cwd",
    join(root, "pages"),
    "--project-name",
    targets.pagesProject,
    "--branch",
    "main",
    "--commit-dirty=true",
  ]);
  if (result.code !== 0) {
    throw new DeployStop(
      `Deploying the dashboard to Pages failed: ${wranglerError(result)}`,
      "The Worker is deployed; run `npm run deploy` again (it reuses everything already done).",
    );
  }
  did.push(`deployed the dashboard to Pages project "${targets.pagesProject}"`);
}

/** Adds the custom domain to the Pages project when it is not there yet. */
export async function ensureDomain(api, targets, pages, domain, did) {
  if (pages.domains.includes(domain)) return;
  await api.account("POST", `/pages/projects/${targets.pagesProject}/domains`, {
    body: { name: domain },
  });
  did.push(`added custom domain ${domain} (Cloudflare issues its certificate within minutes)`);
}
