// What the deploy needs, read from the committed configs (wrangler.toml, pages/wrangler.toml),
// what the account already has (reads only), and the plan that joins them: each resource is
// reused when one of that name exists and created otherwise. `--dry-run` prints this plan and
// stops; without credentials the plan says what would be checked.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DeployStop } from "./errors.mjs";

/** The secrets the Worker needs; the deploy generates the missing ones, never replaces any. */
export const SECRETS = ["ENCRYPTION_KEY", "SETUP_TOKEN"];

/**
 * Names from the committed configs.
 * @param {string} root
 * @param {string} migrationsDir
 */
export function readTargets(root, migrationsDir) {
  const worker = readFileSync(join(root, "wrangler.toml"), "utf8");
  const pages = readFileSync(join(root, "pages", "wrangler.toml"), "utf8");
  const first = (text, key, file) => {
    const match = new RegExp(`^${key}\\s*=\\s*"([^"]+)"`, "m").exec(text);
    if (!match) throw new DeployStop(`${file} has no ${key}.`, `Restore ${key} in ${file}.`);
    return match[1];
  };
  const workerName = first(worker, "name", "wrangler.toml");
  const queues = [
    ...new Set(
      [...worker.matchAll(/^(?:queue|dead_letter_queue)\s*=\s*"([^"]+)"/gm)].map((m) => m[1]),
    ),
  ];
  const boundService = first(pages, "service", "pages/wrangler.toml");
  if (boundService !== workerName) {
    throw new DeployStop(
      `pages/wrangler.toml binds GATEWAY to "${boundService}", but the Worker is "${workerName}".`,
      `Set service = "${workerName}" under [[services]] in pages/wrangler.toml.`,
    );
  }
  return {
    workerName,
    d1Name: first(worker, "database_name", "wrangler.toml"),
    kvTitle: `${workerName}-oauth`,
    queues,
    pagesProject: first(pages, "name", "pages/wrangler.toml"),
    migrations: readdirSync(migrationsDir)
      .filter((f) => f.endsWith(".sql"))
      .sort(),
  };
}

/**
 * What exists on the account, by name (reads only), and the conflicts that stop a deploy
 * before it writes anything.
 * @param {import("./cloudflare.mjs").CloudflareApi} api
 * @param {ReturnType<typeof readTargets>} targets
 */
export async function inspectAccount(api, targets) {
  const d1 = (
    (await api.account("GET", `/d1/database?name=${encodeURIComponent(targets.d1Name)}`)) ?? []
  ).find((db) => db.name === targets.d1Name);
  const kv = ((await api.account("GET", "/storage/kv/namespaces?per_page=100")) ?? []).find(
    (ns) => ns.title === targets.kvTitle,
  );
  if (d1) await checkDatabaseIsGatehouse(api, d1.uuid, targets);
  const allQueues = (await api.account("GET", "/queues?per_page=100")) ?? [];
  for (const queue of allQueues.filter((q) => targets.queues.includes(q.queue_name))) {
    const other = (queue.consumers ?? [])
      .map((c) => c.script ?? c.service)
      .find((script) => script && script !== targets.workerName);
    if (other) {
      throw new DeployStop(
        `The queue "${queue.queue_name}" already exists and is consumed by another Worker ("${other}").`,
        "Delete that queue or remove its consumer in the Cloudflare dashboard, or deploy to another account. Nothing was changed.",
      );
    }
  }
  const queues = Object.fromEntries(
    targets.queues.map((name) => [
      name,
      allQueues.find((q) => q.queue_name === name)?.queue_id ?? null,
    ]),
  );
  const workerPath = `/workers/scripts/${targets.workerName}`;
  const settings = await api.account("GET", `${workerPath}/settings`, { allow404: true });
  const secrets = settings
    ? ((await api.account("GET", `${workerPath}/secrets`, { allow404: true })) ?? []).map(
        (s) => s.name,
      )
    : [];
  const bindings = (settings?.bindings ?? []).map((b) => b.name);
  if (settings && !bindings.includes("DB")) {
    throw new DeployStop(
      `A Worker named "${targets.workerName}" already exists on this account and is not Gatehouse (it has no DB binding).`,
      `Rename or delete that Worker in the Cloudflare dashboard, or deploy to another account (CLOUDFLARE_ACCOUNT_ID). Nothing was changed.`,
    );
  }
  const project = await api.account("GET", `/pages/projects/${targets.pagesProject}`, {
    allow404: true,
  });
  if (project) {
    const services = project.deployment_configs?.production?.services ?? {};
    const bound = services.GATEWAY?.service;
    const other = Object.values(services).find(
      (s) => s?.service && s.service !== targets.workerName,
    );
    if ((bound && bound !== targets.workerName) || (!bound && other)) {
      throw new DeployStop(
        `The Pages project "${targets.pagesProject}" is bound to another Worker ("${bound ?? other.service}").`,
        `Delete or rename that Pages project, or deploy to another account. Nothing was changed.`,
      );
    }
    if (!bound && project.latest_deployment) {
      throw new DeployStop(
        `A Pages project named "${targets.pagesProject}" already exists and is not Gatehouse's dashboard (no GATEWAY binding).`,
        `Delete or rename that Pages project, or deploy to another account. Nothing was changed.`,
      );
    }
  }
  return {
    d1Id: d1?.uuid ?? null,
    kvId: kv?.id ?? null,
    queues,
    workerExists: Boolean(settings),
    secrets,
    pages: project ? { subdomain: project.subdomain, domains: project.domains ?? [] } : null,
  };
}

/**
 * A D1 database of that name that holds tables must be Gatehouse's: its d1_migrations table
 * lists our first migration. Reads only (SELECTs).
 */
async function checkDatabaseIsGatehouse(api, uuid, targets) {
  const query = async (sql) =>
    (await api.account("POST", `/d1/database/${uuid}/query`, { body: { sql } }))?.[0]?.results ??
    [];
  const tables = (
    await query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'",
    )
  )
    .map((row) => row.name)
    .filter((name) => name !== "sqlite_sequence");
  if (tables.length === 0) return;
  const applied = tables.includes("d1_migrations")
    ? (await query("SELECT name FROM d1_migrations ORDER BY id")).map((row) => row.name)
    : [];
  if (!applied.includes(targets.migrations[0])) {
    throw new DeployStop(
      `A D1 database named "${targets.d1Name}" already exists on this account and is not Gatehouse's (it has tables such as "${tables[0]}" but not Gatehouse's migrations).`,
      "Rename or delete that database, or deploy to another account. Nothing was changed.",
    );
  }
}

/**
 * The plan as lines. `state` is null when the account could not be read (no credentials).
 * @param {ReturnType<typeof readTargets>} targets
 * @param {Awaited<ReturnType<typeof inspectAccount>> | null} state
 * @param {{ domain?: string, routeV1: boolean }} options
 */
export function planLines(targets, state, options) {
  const unknown = state === null;
  const resource = (label, exists) =>
    unknown
      ? `check ${label}: reuse it if it exists, else create it`
      : exists
        ? `reuse ${label}`
        : `create ${label}`;
  const lines = [
    ...(unknown
      ? [
          `check that an existing Worker, D1 database, queue or Pages project of these names is Gatehouse's (else stop before any change)`,
        ]
      : []),
    resource(`D1 database "${targets.d1Name}"`, state?.d1Id),
    resource(`KV namespace "${targets.kvTitle}"`, state?.kvId),
    ...targets.queues.map((q) => resource(`queue "${q}"`, state?.queues[q])),
    resource(`Pages project "${targets.pagesProject}"`, state?.pages),
    `apply the D1 migrations not yet applied remotely (${targets.migrations.length} in d1/migrations), before the Worker changes`,
    ...SECRETS.map((name) =>
      unknown
        ? `secret ${name}: generate it if the Worker has none (never replaced)`
        : state.secrets.includes(name)
          ? `keep secret ${name} (already set)`
          : `generate secret ${name}`,
    ),
    `${unknown || !state.workerExists ? "deploy" : "upgrade"} Worker "${targets.workerName}" with PUBLIC_ORIGIN = ${
      options.domain ? `https://${options.domain}` : "the Pages site's origin"
    }`,
    `build and deploy the dashboard to Pages project "${targets.pagesProject}" (GATEWAY → ${targets.workerName})`,
  ];
  if (options.domain) {
    const has = state?.pages?.domains?.includes(options.domain);
    lines.push(`${has ? "keep" : "add"} custom domain ${options.domain} on the Pages project`);
  }
  if (options.routeV1 && options.domain) {
    lines.push(`route ${options.domain}/v1/* straight to the Worker`);
  }
  return lines;
}
