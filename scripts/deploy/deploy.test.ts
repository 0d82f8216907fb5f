// `npm run deploy` against the fake Cloudflare API (test/fakes/cloudflare-api.ts): the first
// deploy creates each resource once and applies every migration, a second run creates and
// applies nothing, an upgrade applies exactly the new migration, secrets are never replaced,
// --dry-run writes nothing (and, with no credentials, calls nothing), the README's commands end
// with the first-run URL and setup token, and the failure cases stop before a Worker version.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeCloudflareApi,
  type FakeCloudflareState,
  startFakeCloudflareApi,
} from "../../test/fakes/cloudflare-api";

const root = resolve(__dirname, "..", "..");
const migrations = join(root, "d1", "migrations");
const migrationFiles = readdirSync(migrations)
  .filter((f) => f.endsWith(".sql"))
  .sort();
const work = mkdtempSync(join(tmpdir(), "gatehouse-deploy-"));
const fakes: FakeCloudflareApi[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  rmSync(work, { recursive: true, force: true });
});

async function fake(seed?: (state: FakeCloudflareState) => void) {
  const api = await startFakeCloudflareApi(seed);
  fakes.push(api);
  return api;
}

interface Run {
  code: number;
  output: string;
  /** Where this run's generated config went (GATEHOUSE_DEPLOY_DIR). */
  deployDir: string;
}

/** Runs a shell command in the repository, credentials (or none) for the fake, own HOME. */
function run(
  command: string,
  api: FakeCloudflareApi,
  env: Record<string, string> = {},
): Promise<Run> {
  const home = mkdtempSync(join(work, "home-"));
  const deployDir = mkdtempSync(join(work, "deploy-"));
  return new Promise((done, reject) => {
    const child = spawn("sh", ["-c", command], {
      cwd: root,
      env: {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: join(home, ".config"),
        CLOUDFLARE_API_BASE_URL: api.baseUrl,
        CLOUDFLARE_API_TOKEN: api.state.token,
        CLOUDFLARE_ACCOUNT_ID: api.state.accounts[0]?.id ?? "",
        GATEHOUSE_DEPLOY_DIR: deployDir,
        WRANGLER_SEND_METRICS: "false",
        // npm's "update available" notice would land after the deploy's own last lines.
        npm_config_update_notifier: "false",
        ...env,
      },
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => done({ code: code ?? 1, output, deployDir }));
  });
}

const deploy = (api: FakeCloudflareApi, args = "", env: Record<string, string> = {}) =>
  run(`node scripts/deploy.mjs ${args}`, api, env);

/** Resource-creating calls (not uploads of code) among `calls`. */
const creations = (api: FakeCloudflareApi, from = 0) =>
  api.calls
    .slice(from)
    .filter((c) => c.method === "POST")
    .map((c) => c.path.replace(/^\/accounts\/[^/]+/, ""))
    .filter((p) =>
      ["/d1/database", "/storage/kv/namespaces", "/queues", "/pages/projects"].includes(p),
    );

const migrationInserts = (api: FakeCloudflareApi, from = 0) =>
  (api.state.d1[0]?.sql ?? [])
    .slice(from)
    .filter((sql) => /INSERT INTO\s+d1_migrations/i.test(sql));

/** The README's Deploy commands, in order. */
function readmeDeployCommands(): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = /^## Deploy\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
  return (/```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "").trim().split("\n");
}

describe("the README's Deploy commands on a clean account, then again, then an upgrade", () => {
  let api: FakeCloudflareApi;
  let dryRun: Run;
  let writesAfterDryRun: FakeCloudflareApi["calls"];
  let first: Run;
  beforeAll(async () => {
    api = await fake();
    // `wrangler login` opens a browser: CLOUDFLARE_API_TOKEN stands in for it, as the README
    // says; the other commands run as written.
    const [login, dry, real] = readmeDeployCommands();
    expect([login, dry, real]).toEqual([
      "npx wrangler login",
      "npm run deploy -- --dry-run",
      "npm run deploy",
    ]);
    dryRun = await run(dry ?? "", api);
    writesAfterDryRun = api.writes();
    first = await run(real ?? "", api);
  }, 120_000);

  it("--dry-run prints the plan and makes no write call", () => {
    expect(dryRun.code, dryRun.output).toBe(0);
    for (const line of [
      'create D1 database "gatehouse"',
      'create KV namespace "gatehouse-oauth"',
      'create queue "gatehouse-telemetry"',
      'create queue "gatehouse-telemetry-dead"',
      'create Pages project "gatehouse-dashboard"',
      "generate secret ENCRYPTION_KEY",
      "generate secret SETUP_TOKEN",
    ]) {
      expect(dryRun.output).toContain(line);
    }
    expect(api.calls.length).toBeGreaterThan(writesAfterDryRun.length);
    expect(writesAfterDryRun).toEqual([]);
  });

  it("ends with the first-run URL and the setup token", () => {
    expect(first.code, first.output).toBe(0);
    const token = api.state.workers.get("gatehouse")?.secrets.get("SETUP_TOKEN");
    expect(token).toMatch(/^[\w-]{32}$/);
    const tail = first.output.trim().split("\n").slice(-2).join("\n");
    expect(tail).toBe(
      `  Setup token:  ${token}\n  First-run URL: https://gatehouse-dashboard.pages.dev`,
    );
  });

  it("creates each resource once, applies every migration and sets both secrets", () => {
    expect(first.code, first.output).toBe(0);
    expect(creations(api).sort()).toEqual(
      ["/d1/database", "/pages/projects", "/queues", "/queues", "/storage/kv/namespaces"].sort(),
    );
    expect(api.state.d1.map((d) => d.name)).toEqual(["gatehouse"]);
    expect(api.state.kv.map((n) => n.title)).toEqual(["gatehouse-oauth"]);
    expect(api.state.queues.map((q) => q.queue_name).sort()).toEqual([
      "gatehouse-telemetry",
      "gatehouse-telemetry-dead",
    ]);
    expect(api.state.d1[0]?.migrations).toEqual(migrationFiles);
    const worker = api.state.workers.get("gatehouse");
    expect(worker?.versions).toHaveLength(1);
    expect(worker?.deployed).toBe(worker?.versions[0]?.id);
    expect([...(worker?.secrets.keys() ?? [])].sort()).toEqual(["ENCRYPTION_KEY", "SETUP_TOKEN"]);
    expect(Buffer.from(worker?.secrets.get("ENCRYPTION_KEY") ?? "", "base64")).toHaveLength(32);
    expect(worker?.versions[0]?.vars.PUBLIC_ORIGIN).toBe("https://gatehouse-dashboard.pages.dev");
    const project = api.state.pages.get("gatehouse-dashboard");
    expect(project?.services).toEqual({ GATEWAY: "gatehouse" });
    expect(project?.deployments).toHaveLength(1);
    expect(first.output).toContain(`Setup token:  ${worker?.secrets.get("SETUP_TOKEN")}`);
  });

  it("keeps the account's ids out of the committed wrangler.toml, in the generated config", () => {
    const committed = readFileSync(join(root, "wrangler.toml"), "utf8");
    expect(committed).toContain('database_id = "00000000-0000-0000-0000-000000000000"');
    expect(committed).toContain('id = "00000000000000000000000000000000"');
    const generated = readFileSync(join(first.deployDir, "wrangler.toml"), "utf8");
    expect(generated).toContain(`database_id = "${api.state.d1[0]?.uuid}"`);
    expect(generated).toContain(`id = "${api.state.kv[0]?.id}"`);
    // The secrets went up with the Worker and no file of them is left behind.
    expect(readdirSync(first.deployDir)).toContain("wrangler.toml");
    expect(readdirSync(first.deployDir)).not.toContain("secrets.json");
  });

  it("applies the migrations before the Worker is uploaded", () => {
    const lastInsert = api.calls.findLastIndex((c) => c.path.endsWith("/query"));
    const upload = api.calls.findIndex(
      (c) => c.method === "PUT" && /\/workers\/scripts\/gatehouse\?/.test(c.path),
    );
    expect(lastInsert).toBeGreaterThan(-1);
    expect(upload).toBeGreaterThan(lastInsert);
  });

  it("a second run creates nothing, applies nothing and keeps the secrets", async () => {
    const calls = api.calls.length;
    const sql = api.state.d1[0]?.sql.length ?? 0;
    const worker = api.state.workers.get("gatehouse");
    const secrets = new Map(worker?.secrets);
    const writes = worker?.secretWrites.length ?? 0;
    const again = await deploy(api);
    expect(again.code, again.output).toBe(0);
    expect(creations(api, calls)).toEqual([]);
    expect(migrationInserts(api, sql)).toEqual([]);
    expect(api.state.d1[0]?.migrations).toEqual(migrationFiles);
    expect(worker?.secrets).toEqual(secrets);
    expect(worker?.secretWrites.slice(writes)).toEqual([]);
    expect(worker?.versions).toHaveLength(2);
    expect(worker?.deployed).toBe(worker?.versions[1]?.id);
    expect(again.output).toContain("no new migrations to apply");
    expect(again.output).not.toContain("Setup token:");
  }, 120_000);

  it("after adding a migration, an upgrade applies exactly that one", async () => {
    const dir = mkdtempSync(join(work, "migrations-"));
    cpSync(migrations, dir, { recursive: true });
    const added = "9999_deploy_test.sql";
    writeFileSync(join(dir, added), "CREATE TABLE deploy_test (id integer PRIMARY KEY);\n");
    const calls = api.calls.length;
    const sql = api.state.d1[0]?.sql.length ?? 0;
    const upgrade = await deploy(api, "", { GATEHOUSE_MIGRATIONS_DIR: dir });
    expect(upgrade.code, upgrade.output).toBe(0);
    expect(creations(api, calls)).toEqual([]);
    const inserts = migrationInserts(api, sql);
    expect(inserts).toHaveLength(1);
    expect(inserts[0]).toContain("CREATE TABLE deploy_test");
    expect(api.state.d1[0]?.migrations).toEqual([...migrationFiles, added]);
    expect(upgrade.output).toContain(`applied migrations ${added}`);
  }, 120_000);
});

describe("npm run deploy on an account that already has Gatehouse's Worker", () => {
  it("never replaces ENCRYPTION_KEY (it adds the missing SETUP_TOKEN), with --domain and --route-v1", async () => {
    const api = await fake((state) => {
      state.workers.set("gatehouse", {
        name: "gatehouse",
        secrets: new Map([["ENCRYPTION_KEY", "the-existing-key"]]),
        secretWrites: ["ENCRYPTION_KEY"],
        versions: [{ id: "v-old", vars: {}, bindings: ["DB", "OAUTH_KV", "ENCRYPTION_KEY"] }],
        deployed: "v-old",
        crons: [],
        migrationTag: "v5",
        subdomainEnabled: true,
      });
    });
    const result = await deploy(api, "--domain gatehouse.example.com --route-v1");
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("keep secret ENCRYPTION_KEY (already set)");
    const worker = api.state.workers.get("gatehouse");
    expect(worker?.secrets.get("ENCRYPTION_KEY")).toBe("the-existing-key");
    expect(worker?.secretWrites).toEqual(["ENCRYPTION_KEY", "SETUP_TOKEN"]);
    expect(worker?.deployed).toBe(worker?.versions.at(-1)?.id);
    expect(worker?.versions.at(-1)?.vars.PUBLIC_ORIGIN).toBe("https://gatehouse.example.com");
    expect(api.state.routes.map((r) => [r.pattern, r.script])).toEqual([
      ["gatehouse.example.com/v1/*", "gatehouse"],
    ]);
    expect(api.state.pages.get("gatehouse-dashboard")?.domains).toEqual(["gatehouse.example.com"]);
    expect(result.output).toContain("First-run URL: https://gatehouse.example.com");
  }, 120_000);
});

describe("npm run deploy -- --dry-run", () => {
  it("with no credentials prints what would be checked and calls nothing", async () => {
    const api = await fake();
    const result = await deploy(api, "--dry-run", {
      CLOUDFLARE_API_TOKEN: "",
      CLOUDFLARE_ACCOUNT_ID: "",
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(
      'check D1 database "gatehouse": reuse it if it exists, else create it',
    );
    expect(result.output).toContain("Not logged in");
    expect(api.calls).toEqual([]);
  }, 60_000);
});

describe("npm run deploy stops with what to do, and publishes no Worker version", () => {
  it("when not logged in", async () => {
    const api = await fake();
    const result = await deploy(api, "", { CLOUDFLARE_API_TOKEN: "", CLOUDFLARE_ACCOUNT_ID: "" });
    expect(result.code).toBe(1);
    expect(result.output).toContain("Not logged in to Cloudflare");
    expect(result.output).toContain("npx wrangler login");
    expect(api.calls).toEqual([]);
  }, 60_000);

  it("for the wrong account", async () => {
    const api = await fake();
    const result = await deploy(api, "", { CLOUDFLARE_ACCOUNT_ID: "someone-elses-account" });
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "CLOUDFLARE_ACCOUNT_ID is someone-elses-account, which these credentials cannot reach",
    );
    expect(result.output).toContain(api.state.accounts[0]?.id);
    expect(api.writes()).toEqual([]);
  }, 60_000);

  it("when a Worker of that name is not Gatehouse", async () => {
    const api = await fake((state) => {
      state.workers.set("gatehouse", {
        name: "gatehouse",
        secrets: new Map(),
        secretWrites: [],
        versions: [{ id: "v-theirs", vars: {}, bindings: ["ASSETS"] }],
        deployed: "v-theirs",
        crons: [],
        migrationTag: null,
        subdomainEnabled: true,
      });
    });
    const result = await deploy(api);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      'A Worker named "gatehouse" already exists on this account and is not Gatehouse',
    );
    expect(api.writes()).toEqual([]);
    expect(api.state.workers.get("gatehouse")?.versions).toHaveLength(1);
  }, 60_000);

  it("when a D1 database of that name is not Gatehouse's", async () => {
    const api = await fake((state) => {
      state.d1.push({
        uuid: "0e0e0e0e-0000-4000-8000-000000000001",
        name: "gatehouse",
        created_at: "2026-01-01T00:00:00Z",
        sql: [],
        migrations: null,
        tables: ["blog_posts"],
      });
    });
    const result = await deploy(api);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      'A D1 database named "gatehouse" already exists on this account and is not Gatehouse\'s',
    );
    expect(result.output).toContain("What to do: Rename or delete that database");
    expect(api.writes()).toEqual([]);
    expect(api.state.workers.size).toBe(0);
  }, 60_000);

  it("when a queue of that name is consumed by another Worker", async () => {
    const api = await fake((state) => {
      state.queues.push({
        queue_id: "q-theirs",
        queue_name: "gatehouse-telemetry",
        consumers: [{ consumer_id: "c1", type: "worker", script: "their-worker" }],
      });
    });
    const result = await deploy(api);
    expect(result.code).toBe(1);
    expect(result.output).toContain('is consumed by another Worker ("their-worker")');
    expect(api.writes()).toEqual([]);
    expect(api.state.workers.size).toBe(0);
  }, 60_000);

  it("when the Pages project is bound to another Worker", async () => {
    const api = await fake((state) => {
      state.pages.set("gatehouse-dashboard", {
        name: "gatehouse-dashboard",
        subdomain: "gatehouse-dashboard.pages.dev",
        services: { GATEWAY: "another-worker" },
        deployments: [{ id: "d1", url: "https://d1.gatehouse-dashboard.pages.dev" }],
        domains: [],
      });
    });
    const result = await deploy(api);
    expect(result.code).toBe(1);
    expect(result.output).toContain('is bound to another Worker ("another-worker")');
    expect(result.output).toContain("What to do:");
    expect(api.writes()).toEqual([]);
    expect(api.state.workers.size).toBe(0);
  }, 60_000);

  it("when a migration fails remotely: the Worker is not uploaded", async () => {
    const api = await fake((state) => {
      state.failSql = /BROKEN/;
    });
    const dir = mkdtempSync(join(work, "migrations-"));
    cpSync(migrations, dir, { recursive: true });
    writeFileSync(join(dir, "9999_broken.sql"), "CREATE TABLE BROKEN (;\n");
    const result = await deploy(api, "", { GATEHOUSE_MIGRATIONS_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.output).toContain("Migration 9999_broken.sql failed on Cloudflare");
    expect(result.output).toContain("The Worker was not changed");
    expect(api.state.workers.size).toBe(0);
    expect(api.state.d1[0]?.migrations).toEqual(migrationFiles);
  }, 120_000);
});

describe("npm run deploy that stops after the Worker went live", () => {
  it("still prints the new setup token, and a re-run finishes without creating anything", async () => {
    const api = await fake((state) => {
      state.failPagesDeployments = 1;
    });
    const stopped = await deploy(api);
    expect(stopped.code).toBe(1);
    expect(stopped.output).toContain("Deploying the dashboard to Pages failed");
    const token = api.state.workers.get("gatehouse")?.secrets.get("SETUP_TOKEN");
    expect(token).toBeTruthy();
    expect(stopped.output).toContain(
      `The Worker's new SETUP_TOKEN (shown once; the next run will not show it): ${token}`,
    );
    const calls = api.calls.length;
    const again = await deploy(api);
    expect(again.code, again.output).toBe(0);
    expect(creations(api, calls)).toEqual([]);
    expect(api.state.pages.get("gatehouse-dashboard")?.deployments).toHaveLength(1);
    expect(api.state.workers.get("gatehouse")?.secrets.get("SETUP_TOKEN")).toBe(token);
  }, 120_000);
});

describe("the fake Cloudflare API", () => {
  it("answered every call above from an endpoint it implements (none unknown to it)", () => {
    const calls = fakes.flatMap((f) => f.calls);
    expect(calls.length).toBeGreaterThan(100);
    expect(calls.filter((c) => c.endpoint === null)).toEqual([]);
  });
});
