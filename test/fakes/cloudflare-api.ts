/**
 * A fake Cloudflare API on loopback for the deploy tests (`npm run deploy` against it through
 * CLOUDFLARE_API_BASE_URL). It keeps state and records every call, and implements only what
 * scripts/deploy.mjs and wrangler 4.86 call for its steps (found by running wrangler against a
 * recording stub and reading node_modules/wrangler/wrangler-dist/cli.js). All paths are under
 * `/client/v4`; answers use Cloudflare's envelope `{ success, errors, messages, result }`.
 *
 * Accounts (the deploy's own client): `GET /accounts`; any token but the fake's is a 401, and an
 *   account it does not hold a 403.
 * D1: `GET|POST /accounts/:a/d1/database` (list by `?name=`, create);
 *   `POST /accounts/:a/d1/database/:id/query` keeps every SQL text run and a `d1_migrations`
 *   table, enough for `wrangler d1 migrations apply --remote` (its CREATE TABLE IF NOT EXISTS,
 *   SELECT * and one INSERT per migration) and the tables created, for `FROM sqlite_master`;
 *   `failSql` makes matching SQL fail like D1 does. A query of SELECTs only is a read.
 * KV: `GET|POST /accounts/:a/storage/kv/namespaces`.
 * Queues: `GET|POST /accounts/:a/queues` (wrangler filters with repeated `?name=`),
 *   `POST /accounts/:a/queues/:id/consumers`, `PUT .../consumers/:cid` (a redeploy).
 * Workers (`wrangler deploy`): `GET /accounts/:a/workers/services/:name`,
 *   `GET /accounts/:a/workers/scripts` (migration tags), first deploy `PUT .../scripts/:name`
 *   (multipart: a version, live at once), later ones `POST .../scripts/:name/versions` then
 *   `POST .../scripts/:name/deployments` (which makes a version live); `secret_text` bindings
 *   set secrets (uploads never delete one). `GET .../scripts/:name/settings` (bindings),
 *   `GET .../scripts/:name/secrets` (names), `GET .../scripts/:name/deployments`,
 *   `PATCH .../scripts/:name/script-settings`, `PUT .../scripts/:name/schedules`,
 *   `PUT .../scripts/:name/routes`, `GET /accounts/:a/workers/subdomain`,
 *   `GET|POST .../scripts/:name/subdomain`.
 * Zones: `GET /zones?name=` (the deploy's own zone lookup for --route-v1).
 * Pages (`wrangler pages deploy`, and the deploy's own client): `POST /accounts/:a/pages/projects`,
 *   `GET .../pages/projects/:name`, `GET .../projects/:name/upload-token` (a JWT: wrangler reads
 *   its expiry), `POST /pages/assets/check-missing|upload|upsert-hashes` (with that JWT),
 *   `POST .../projects/:name/deployments` (its `_worker.bundle` carries the service bindings,
 *   which become the project's; `failPagesDeployments` refuses that many first),
 *   `GET .../deployments/:id`, `POST .../projects/:name/domains`.
 * Anything else answers 404 with code 7003 and is recorded with `endpoint: null`, so a test sees
 * an unexpected call.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  method: string;
  path: string;
  status: number;
  /** The endpoint that answered, as in this file (`GET /accounts/:a/queues`); null: none. */
  endpoint: string | null;
  /** True for calls that change nothing: GETs, asset checks, D1 queries of SELECTs only. */
  readOnly: boolean;
}

export interface D1Database {
  uuid: string;
  name: string;
  created_at: string;
  /** Every SQL text run against it, in order. */
  sql: string[];
  /** Names in the d1_migrations table, in the order applied (null: no table yet). */
  migrations: string[] | null;
  /** Tables created by the SQL run (d1_migrations aside). */
  tables: string[];
}

export interface WorkerScript {
  name: string;
  /** Secret name → value. */
  secrets: Map<string, string>;
  /** Every secret name written, in order (a secret written twice was overwritten). */
  secretWrites: string[];
  /** Each upload's id and its plain-text vars and binding names. */
  versions: { id: string; vars: Record<string, string>; bindings: string[] }[];
  /** The version that serves traffic (null: none yet). */
  deployed: string | null;
  crons: string[];
  migrationTag: string | null;
  subdomainEnabled: boolean;
}

export interface PagesProject {
  name: string;
  subdomain: string;
  /** Service bindings of the production deployment config: binding name → Worker name. */
  services: Record<string, string>;
  deployments: { id: string; url: string }[];
  domains: string[];
}

export interface FakeCloudflareState {
  token: string;
  accounts: { id: string; name: string }[];
  d1: D1Database[];
  kv: { id: string; title: string }[];
  queues: {
    queue_id: string;
    queue_name: string;
    consumers: {
      consumer_id: string;
      type: string;
      script: string;
      dead_letter_queue?: string;
    }[];
  }[];
  workers: Map<string, WorkerScript>;
  pages: Map<string, PagesProject>;
  zones: { id: string; name: string }[];
  routes: { id: string; zone: string; pattern: string; script: string }[];
  /** SQL that fails when run (a migration that fails remotely). */
  failSql: RegExp | null;
  /** How many Pages deployments to refuse (500) before accepting again. */
  failPagesDeployments: number;
}

export interface FakeCloudflareApi {
  /** What to give wrangler as CLOUDFLARE_API_BASE_URL (ends in /client/v4). */
  baseUrl: string;
  state: FakeCloudflareState;
  calls: RecordedCall[];
  /** Calls that may change state (not `readOnly`). */
  writes(): RecordedCall[];
  close(): Promise<void>;
}

type Params = Record<string, string>;
type Handler = (req: FakeRequest, p: Params) => Promise<Answer> | Answer;
interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: Buffer;
}
interface Answer {
  status?: number;
  result?: unknown;
  errors?: { code: number; message: string }[];
  resultInfo?: Record<string, number>;
  /** A POST that changes nothing (a D1 query of SELECTs only). */
  readOnly?: boolean;
}

const SUBDOMAIN = "gatehouse-test";
/** Wrangler reads the upload token's expiry, so it is a JWT (unsigned: nothing checks it). */
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const PAGES_JWT = `${b64url({ alg: "none" })}.${b64url({ exp: 4_102_444_800 })}.sig`;
const ok = (result: unknown, resultInfo?: Record<string, number>): Answer => ({
  result,
  resultInfo,
});
const fail = (status: number, code: number, message: string): Answer => ({
  status,
  errors: [{ code, message }],
});
const json = (req: FakeRequest): Record<string, unknown> => {
  const text = req.body.toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
};
const page = <T>(items: T[]) =>
  ok(items, {
    page: 1,
    per_page: 1000,
    count: items.length,
    total_count: items.length,
    total_pages: 1,
  });

/** Reads POST /query's SQL into statements and answers them against the fake's tables. */
function runSql(db: D1Database, sql: string, failSql: RegExp | null): Answer {
  db.sql.push(sql);
  if (failSql?.test(sql)) {
    return fail(400, 7500, `near "BROKEN": syntax error at offset 0: SQLITE_ERROR`);
  }
  const meta = { changed_db: false, changes: 0, duration: 1, rows_read: 0, rows_written: 0 };
  const statements = sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
  const results = statements.map((statement) => {
    if (/CREATE TABLE IF NOT EXISTS\s+d1_migrations/i.test(statement)) {
      db.migrations ??= [];
      return { results: [], success: true, meta };
    }
    const insert = /INSERT INTO\s+d1_migrations\s*\(name\)\s*values\s*\('([^']+)'\)/i.exec(
      statement,
    );
    if (insert?.[1]) {
      db.migrations ??= [];
      db.migrations.push(insert[1]);
      return { results: [], success: true, meta };
    }
    if (/SELECT\s+(?:\*|name)\s+FROM\s+d1_migrations/i.test(statement)) {
      return {
        results: (db.migrations ?? []).map((name, i) => ({ id: i + 1, name })),
        success: true,
        meta,
      };
    }
    const table = /^CREATE TABLE\s+(?:IF NOT EXISTS\s+)?[`"]?(\w+)/i.exec(statement)?.[1];
    if (table && !db.tables.includes(table)) db.tables.push(table);
    if (/FROM\s+sqlite_master/i.test(statement)) {
      const names = [...db.tables, ...(db.migrations === null ? [] : ["d1_migrations"])];
      return { results: names.map((name) => ({ name })), success: true, meta };
    }
    return { results: [], success: true, meta };
  });
  const readOnly = statements.every((statement) => /^SELECT\b/i.test(statement));
  return { ...ok(results), readOnly };
}

async function readMultipart(req: FakeRequest): Promise<FormData> {
  const type = String(req.headers["content-type"] ?? "");
  return new Response(new Uint8Array(req.body), { headers: { "content-type": type } }).formData();
}

interface UploadMetadata {
  bindings?: { type: string; name: string; text?: string; service?: string }[];
  keep_bindings?: string[];
  vars?: Record<string, string>;
  migrations?: { new_tag?: string };
}

/** Starts the fake on 127.0.0.1 with one account and nothing in it (override with `seed`). */
export async function startFakeCloudflareApi(
  seed: (state: FakeCloudflareState) => void = () => {},
): Promise<FakeCloudflareApi> {
  const state: FakeCloudflareState = {
    token: "fake-cloudflare-token",
    accounts: [{ id: "acc0000000000000000000000000001", name: "Acme" }],
    d1: [],
    kv: [],
    queues: [],
    workers: new Map(),
    pages: new Map(),
    zones: [{ id: "zone00000000000000000000000000001", name: "example.com" }],
    routes: [],
    failSql: null,
    failPagesDeployments: 0,
  };
  seed(state);
  const calls: RecordedCall[] = [];
  const routes: [string, RegExp, Handler, string][] = [];
  const on = (method: string, pattern: string, handler: Handler) => {
    const source = pattern.replace(/:(\w+)/g, "(?<$1>[^/]+)");
    routes.push([method, new RegExp(`^/client/v4${source}$`), handler, `${method} ${pattern}`]);
  };
  const account = (p: Params) => state.accounts.find((a) => a.id === p.a);
  const worker = (p: Params) => state.workers.get(p.name ?? "");
  const noWorker = () => fail(404, 10007, "This Worker does not exist on your account.");

  // Accounts and auth.
  on("GET", "/accounts", () => page(state.accounts));

  // D1.
  on("GET", "/accounts/:a/d1/database", (req) => {
    const name = req.url.searchParams.get("name");
    return page(state.d1.filter((d) => !name || d.name === name).map(d1View));
  });
  on("POST", "/accounts/:a/d1/database", (req) => {
    const { name } = json(req) as { name: string };
    if (state.d1.some((d) => d.name === name))
      return fail(400, 7502, "A database with that name already exists");
    const db: D1Database = {
      uuid: randomUUID(),
      name,
      created_at: new Date().toISOString(),
      sql: [],
      migrations: null,
      tables: [],
    };
    state.d1.push(db);
    return ok(d1View(db));
  });
  on("POST", "/accounts/:a/d1/database/:id/query", (req, p) => {
    const db = state.d1.find((d) => d.uuid === p.id);
    if (!db) return fail(404, 7404, "The database could not be found");
    const body = json(req) as { sql: string };
    return runSql(db, body.sql, state.failSql);
  });

  // KV.
  on("GET", "/accounts/:a/storage/kv/namespaces", () => page(state.kv));
  on("POST", "/accounts/:a/storage/kv/namespaces", (req) => {
    const { title } = json(req) as { title: string };
    if (state.kv.some((n) => n.title === title))
      return fail(400, 10014, "a namespace with this account ID and title already exists");
    const ns = { id: randomUUID().replaceAll("-", ""), title };
    state.kv.push(ns);
    return ok(ns);
  });

  // Queues.
  const queueView = (q: FakeCloudflareState["queues"][number]) => ({
    queue_id: q.queue_id,
    queue_name: q.queue_name,
    consumers: q.consumers,
    producers: [],
    consumers_total_count: q.consumers.length,
    producers_total_count: 0,
  });
  on("GET", "/accounts/:a/queues", (req) => {
    const names = req.url.searchParams.getAll("name");
    return page(
      state.queues.filter((q) => names.length === 0 || names.includes(q.queue_name)).map(queueView),
    );
  });
  on("POST", "/accounts/:a/queues", (req) => {
    const { queue_name } = json(req) as { queue_name: string };
    if (state.queues.some((q) => q.queue_name === queue_name))
      return fail(400, 11009, "A queue with this name already exists");
    const q = { queue_id: randomUUID().replaceAll("-", ""), queue_name, consumers: [] };
    state.queues.push(q);
    return ok(queueView(q));
  });
  const queueById = (p: Params) =>
    state.queues.find((q) => q.queue_id === p.id || q.queue_name === p.id);
  on("POST", "/accounts/:a/queues/:id/consumers", (req, p) => {
    const q = queueById(p);
    if (!q) return fail(404, 11000, "Queue does not exist");
    const body = json(req) as { script_name?: string; dead_letter_queue?: string };
    const consumer = {
      consumer_id: randomUUID(),
      type: "worker",
      script: body.script_name ?? "",
      dead_letter_queue: body.dead_letter_queue,
    };
    q.consumers.push(consumer);
    return ok(consumer);
  });
  on("PUT", "/accounts/:a/queues/:id/consumers/:cid", (_req, p) => {
    const consumer = queueById(p)?.consumers.find((c) => c.consumer_id === p.cid);
    return consumer ? ok(consumer) : fail(404, 11000, "Consumer does not exist");
  });

  // Workers.
  on("GET", "/accounts/:a/workers/services/:name", (_req, p) => {
    const w = worker(p);
    if (!w) return fail(404, 10090, "This service does not exist.");
    return ok({
      id: w.name,
      default_environment: {
        environment: "production",
        script: { id: w.name, tag: w.name, migration_tag: w.migrationTag },
      },
    });
  });
  on("GET", "/accounts/:a/workers/scripts", () =>
    ok([...state.workers.values()].map((w) => ({ id: w.name, migration_tag: w.migrationTag }))),
  );
  /** Stores an upload as a version; secrets in it are set (uploads never delete secrets). */
  const uploadVersion = async (req: FakeRequest, name: string) => {
    const form = await readMultipart(req);
    const metadata = JSON.parse(String(form.get("metadata"))) as UploadMetadata;
    const w: WorkerScript = state.workers.get(name) ?? {
      name,
      secrets: new Map(),
      secretWrites: [],
      versions: [],
      deployed: null,
      crons: [],
      migrationTag: null,
      subdomainEnabled: false,
    };
    const vars: Record<string, string> = {};
    for (const b of metadata.bindings ?? []) {
      if (b.type === "secret_text") {
        w.secrets.set(b.name, b.text ?? "");
        w.secretWrites.push(b.name);
      }
      if (b.type === "plain_text") vars[b.name] = b.text ?? "";
    }
    if (metadata.migrations?.new_tag) w.migrationTag = metadata.migrations.new_tag;
    const version = {
      id: randomUUID(),
      vars,
      bindings: (metadata.bindings ?? []).map((b) => b.name),
    };
    w.versions.push(version);
    state.workers.set(name, w);
    return { w, version };
  };
  on("PUT", "/accounts/:a/workers/scripts/:name", async (req, p) => {
    const { w, version } = await uploadVersion(req, p.name ?? "");
    w.deployed = version.id;
    return ok({ id: w.name, etag: version.id, deployment_id: version.id, startup_time_ms: 10 });
  });
  on("POST", "/accounts/:a/workers/scripts/:name/versions", async (req, p) => {
    if (!worker(p)) return noWorker();
    const { version } = await uploadVersion(req, p.name ?? "");
    return ok({
      id: version.id,
      number: 1,
      resources: { script: { etag: version.id } },
      startup_time_ms: 10,
    });
  });
  on("POST", "/accounts/:a/workers/scripts/:name/deployments", (req, p) => {
    const w = worker(p);
    if (!w) return noWorker();
    const body = json(req) as { versions: { version_id: string; percentage: number }[] };
    const id = body.versions.find((v) => v.percentage === 100)?.version_id;
    if (!id || !w.versions.some((v) => v.id === id)) return fail(400, 10021, "Unknown version");
    w.deployed = id;
    return ok({ id: randomUUID(), versions: body.versions });
  });
  on("GET", "/accounts/:a/workers/scripts/:name/settings", (_req, p) => {
    const w = worker(p);
    if (!w) return noWorker();
    return ok({ bindings: (w.versions.at(-1)?.bindings ?? []).map((name) => ({ name })) });
  });
  on("PATCH", "/accounts/:a/workers/scripts/:name/script-settings", (_req, p) =>
    worker(p) ? ok({ logpush: false, observability: { enabled: true } }) : noWorker(),
  );
  on("GET", "/accounts/:a/workers/scripts/:name/secrets", (_req, p) => {
    const w = worker(p);
    if (!w) return noWorker();
    return ok([...w.secrets.keys()].map((name) => ({ name, type: "secret_text" })));
  });
  on("GET", "/accounts/:a/workers/scripts/:name/deployments", (_req, p) => {
    const w = worker(p);
    if (!w) return noWorker();
    const latest = w.versions.find((v) => v.id === w.deployed);
    return ok({
      deployments: latest
        ? [
            {
              id: latest.id,
              source: "wrangler",
              strategy: "percentage",
              versions: [{ version_id: latest.id, percentage: 100 }],
            },
          ]
        : [],
    });
  });
  on("PUT", "/accounts/:a/workers/scripts/:name/schedules", (req, p) => {
    const w = worker(p);
    if (!w) return noWorker();
    const body = JSON.parse(req.body.toString("utf8")) as { cron: string }[];
    w.crons = body.map((s) => s.cron);
    return ok({ schedules: body });
  });
  on("GET", "/accounts/:a/workers/subdomain", () => ok({ subdomain: SUBDOMAIN }));
  on("GET", "/accounts/:a/workers/scripts/:name/subdomain", (_req, p) => {
    const w = worker(p);
    return w ? ok({ enabled: w.subdomainEnabled, previews_enabled: false }) : noWorker();
  });
  on("POST", "/accounts/:a/workers/scripts/:name/subdomain", (req, p) => {
    const w = worker(p);
    if (!w) return noWorker();
    w.subdomainEnabled = Boolean(json(req).enabled);
    return ok({ enabled: w.subdomainEnabled });
  });

  on("PUT", "/accounts/:a/workers/scripts/:name/routes", (req, p) => {
    if (!worker(p)) return noWorker();
    const body = JSON.parse(req.body.toString("utf8")) as { pattern: string; zone_name?: string }[];
    const zoneOf = (r: { pattern: string; zone_name?: string }) =>
      state.zones.find((z) => z.name === r.zone_name || r.pattern.split("/")[0]?.endsWith(z.name));
    if (body.some((r) => !zoneOf(r)))
      return fail(400, 10020, "The zone of a route is not on this account");
    state.routes = state.routes.filter((r) => r.script !== p.name);
    for (const r of body) {
      state.routes.push({
        id: randomUUID(),
        zone: zoneOf(r)?.id ?? "",
        pattern: r.pattern,
        script: p.name ?? "",
      });
    }
    return ok(body.map((r) => ({ pattern: r.pattern, zone_name: zoneOf(r)?.name })));
  });

  // Zones and routes.
  on("GET", "/zones", (req) => {
    const name = req.url.searchParams.get("name");
    return page(state.zones.filter((z) => z.name === name));
  });

  // Pages.
  const projectView = (project: PagesProject) => ({
    name: project.name,
    subdomain: project.subdomain,
    production_branch: "main",
    domains: [project.subdomain, ...project.domains],
    deployment_configs: {
      production: {
        services: Object.fromEntries(
          Object.entries(project.services).map(([k, v]) => [
            k,
            { service: v, environment: "production" },
          ]),
        ),
      },
      preview: {},
    },
    latest_deployment: project.deployments.at(-1) ?? null,
    canonical_deployment: project.deployments.at(-1) ?? null,
  });
  on("POST", "/accounts/:a/pages/projects", (req) => {
    const body = json(req) as { name: string };
    if (state.pages.has(body.name))
      return fail(409, 8000002, "A project with this name already exists.");
    const project: PagesProject = {
      name: body.name,
      subdomain: `${body.name}.pages.dev`,
      services: {},
      deployments: [],
      domains: [],
    };
    state.pages.set(body.name, project);
    return ok(projectView(project));
  });
  const project = (p: Params) => state.pages.get(p.name ?? "");
  const noProject = () => fail(404, 8000007, "Project not found.");
  on("GET", "/accounts/:a/pages/projects/:name", (_req, p) => {
    const pr = project(p);
    return pr ? ok(projectView(pr)) : noProject();
  });
  on("GET", "/accounts/:a/pages/projects/:name/upload-token", (_req, p) =>
    project(p) ? ok({ jwt: PAGES_JWT }) : noProject(),
  );
  on("POST", "/pages/assets/check-missing", (req) => ok((json(req).hashes as string[]) ?? []));
  on("POST", "/pages/assets/upload", () => ok(null));
  on("POST", "/pages/assets/upsert-hashes", () => ok(null));
  on("POST", "/accounts/:a/pages/projects/:name/deployments", async (req, p) => {
    const pr = project(p);
    if (!pr) return noProject();
    if (state.failPagesDeployments > 0) {
      state.failPagesDeployments--;
      return fail(
        400,
        8000011,
        "The deployment could not be created (fake: failPagesDeployments).",
      );
    }
    const form = await readMultipart(req);
    // The Functions bundle carries the Pages config's bindings: the service bindings are kept.
    const bundle = form.get("_worker.bundle");
    if (bundle !== null && typeof bundle !== "string") {
      const bytes = Buffer.from(await new Response(bundle).arrayBuffer());
      const boundary = bytes.toString("latin1", 0, bytes.indexOf("\r\n")).replace(/^--/, "");
      const inner = await new Response(new Uint8Array(bytes), {
        headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      }).formData();
      const metadata = JSON.parse(String(inner.get("metadata"))) as UploadMetadata;
      pr.services = Object.fromEntries(
        (metadata.bindings ?? [])
          .filter((b) => b.type === "service")
          .map((b) => [b.name, b.service ?? ""]),
      );
    }
    const deployment = {
      id: randomUUID(),
      url: `https://${randomUUID().slice(0, 8)}.${pr.subdomain}`,
    };
    pr.deployments.push(deployment);
    return ok({
      ...deployment,
      environment: "production",
      latest_stage: { name: "deploy", status: "success" },
    });
  });
  on("GET", "/accounts/:a/pages/projects/:name/deployments/:id", (_req, p) => {
    const d = project(p)?.deployments.find((x) => x.id === p.id);
    return d ? ok({ ...d, latest_stage: { name: "deploy", status: "success" } }) : noProject();
  });
  on("POST", "/accounts/:a/pages/projects/:name/domains", (req, p) => {
    const pr = project(p);
    if (!pr) return noProject();
    const { name } = json(req) as { name: string };
    pr.domains.push(name);
    return ok({ name, status: "initializing" });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const request: FakeRequest = { method, url, headers: req.headers, body: Buffer.concat(chunks) };
    let answer: Answer;
    const auth = String(req.headers.authorization ?? "");
    const pagesJwt = url.pathname.startsWith("/client/v4/pages/assets/");
    const expected = `Bearer ${pagesJwt ? PAGES_JWT : state.token}`;
    const match = routes
      .map(([m, re, h, endpoint]) => ({ m, h, endpoint, found: re.exec(url.pathname) }))
      .find((r) => r.m === method && r.found);
    if (auth !== expected) {
      answer = fail(401, 10000, "Authentication error");
    } else if (!match?.found) {
      answer = fail(404, 7003, `No route for that URI (fake: ${method} ${url.pathname})`);
    } else {
      const params = { ...match.found.groups } as Params;
      if (params.a !== undefined && !account(params)) {
        answer = fail(403, 10000, "Authentication error");
      } else {
        try {
          answer = await match.h(request, params);
        } catch (err) {
          answer = fail(500, 1, String(err));
        }
      }
    }
    const status = answer.status ?? 200;
    calls.push({
      method,
      path: `${url.pathname.replace("/client/v4", "")}${url.search}`,
      status,
      endpoint: match?.found ? match.endpoint : null,
      readOnly:
        method === "GET" ||
        answer.readOnly === true ||
        url.pathname === "/client/v4/pages/assets/check-missing",
    });
    const success = status < 400;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        success,
        errors: answer.errors ?? [],
        messages: [],
        result: success ? (answer.result ?? null) : null,
        ...(answer.resultInfo ? { result_info: answer.resultInfo } : {}),
      }),
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    state,
    calls,
    writes: () => calls.filter((c) => !c.readOnly),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function d1View(db: D1Database) {
  return {
    uuid: db.uuid,
    name: db.name,
    created_at: db.created_at,
    version: "production",
    num_tables: 0,
    file_size: 0,
  };
}
