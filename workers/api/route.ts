// Every /api endpoint is declared here-style: method, path, the permission it needs, its
// zod input schemas and a handler. The same declarations mount the Hono routes, check
// permissions before any handler runs, and produce the OpenAPI document, so the three can
// never disagree.
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { type AuditNaming, auditMutation, recordBefore } from "../audit/mutation";
import { badRequest, forbidden, fromZodError } from "../errors";
import { requireUser, type SessionUser } from "./auth/session";
import { can, type Permission } from "./permissions";

export type Access = Permission | "public" | "signed-in";
export type Method = "get" | "post" | "put" | "patch" | "delete";

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType> {
  method: Method;
  /** Hono path under /api, with `:param` segments. */
  path: string;
  summary: string;
  access: Access;
  body?: B;
  query?: Q;
  handler: (
    c: Context<AppEnv>,
    input: { body: z.output<B>; query: z.output<Q> },
  ) => Response | Promise<Response>;
  /** How the audit log names this route's changes (mutations only); derived when absent. */
  audit?: AuditNaming;
  /**
   * The state a PUT, PATCH or DELETE is about to change, for its audit entry's `before`. Rarely
   * needed: by default it is what the GET route of the same path (or the collection's list)
   * answers this caller.
   */
  loadBefore?: (c: Context<AppEnv>) => Promise<unknown>;
}

/** A declared route with its types erased, ready to mount and to describe. */
export interface ApiRoute {
  method: Method;
  path: string;
  summary: string;
  access: Access;
  body: z.ZodType | undefined;
  query: z.ZodType | undefined;
  mount(app: Hono<AppEnv>): void;
}

const NoInput = z.undefined();

export function route<B extends z.ZodType = typeof NoInput, Q extends z.ZodType = typeof NoInput>(
  spec: RouteSpec<B, Q>,
): ApiRoute {
  if (spec.method === "get") {
    readRoutes.set(spec.path, spec as unknown as ReadRoute);
  }
  const loadBefore =
    spec.method === "put" || spec.method === "patch" || spec.method === "delete"
      ? (spec.loadBefore ?? ((c: Context<AppEnv>) => readBefore(c, spec.path)))
      : undefined;
  return {
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    access: spec.access,
    body: spec.body,
    query: spec.query,
    mount(app) {
      const run = async (c: Context<AppEnv>) => {
        const body = spec.body ? await parseJsonBody(c, spec.body) : undefined;
        const query = spec.query ? parseQuery(c, spec.query) : undefined;
        if (loadBefore) recordBefore(c, await loadBefore(c).catch(() => undefined));
        return spec.handler(c, { body, query } as { body: z.output<B>; query: z.output<Q> });
      };
      const method = spec.method.toUpperCase();
      if (spec.method === "get") {
        if (spec.access === "public") app.on(method, spec.path, run);
        else app.on(method, spec.path, requireUser, permissionCheck(spec.access), run);
        return;
      }
      // Every change is audited, refused ones included: the audit wraps the whole chain.
      const audited = auditMutation(spec.method, spec.path, spec.audit);
      if (spec.access === "public") app.on(method, spec.path, audited, run);
      else app.on(method, spec.path, audited, requireUser, permissionCheck(spec.access), run);
    },
  };
}

/** A GET route with its types erased, as the audit's `before` snapshots call it. */
interface ReadRoute {
  access: Access;
  query: z.ZodType | undefined;
  handler: (
    c: Context<AppEnv>,
    input: { body: undefined; query: unknown },
  ) => Response | Promise<Response>;
}

const readRoutes = new Map<string, ReadRoute>();

/**
 * What the caller would see of the resource a PATCH/DELETE on `path` is about to change: the
 * GET route of the same path, else the item with this id in the collection's list. It runs
 * in-process as the caller (a caller who may not read it gets no snapshot), so it shows no more
 * than the API already shows them. Read routes are side-effect free, which makes this safe.
 */
async function readBefore(c: Context<AppEnv>, path: string): Promise<unknown> {
  const same = readRoutes.get(path);
  if (same) return readAs(c, same);
  const item = /^(.*)\/:(\w+)$/.exec(path);
  const list = item?.[1] ? readRoutes.get(item[1]) : undefined;
  if (!item?.[2] || !list) return undefined;
  const key = item[2];
  const wanted = c.req.param(key);
  const body = await readAs(c, list);
  const rows = Array.isArray(body)
    ? body
    : isRecord(body) && Array.isArray(body.data)
      ? body.data
      : [];
  return rows.find((r: unknown) => isRecord(r) && (r[key] === wanted || r.id === wanted));
}

async function readAs(c: Context<AppEnv>, r: ReadRoute): Promise<unknown> {
  // Hono answers undefined for a variable no middleware set (a public mutation).
  const user = c.get("user") as SessionUser | undefined;
  if (r.access !== "public" && (!user || (r.access !== "signed-in" && !can(user, r.access)))) {
    return undefined;
  }
  const query = r.query?.safeParse({});
  if (query && !query.success) return undefined;
  const res = await r.handler(c, { body: undefined, query: query?.data });
  return res.ok ? await res.json() : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function permissionCheck(access: Exclude<Access, "public">) {
  return async function checkPermission(c: Context<AppEnv>, next: () => Promise<void>) {
    if (access !== "signed-in" && !can(c.get("user"), access)) {
      throw forbidden(`This needs the permission '${access}'.`);
    }
    await next();
  };
}

async function parseJsonBody<T extends z.ZodType>(c: Context<AppEnv>, schema: T) {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("application/json")) {
    throw badRequest("Send the request body as JSON (Content-Type: application/json).");
  }
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw fromZodError(parsed.error, "request body");
  return parsed.data;
}

function parseQuery<T extends z.ZodType>(c: Context<AppEnv>, schema: T) {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw fromZodError(parsed.error, "query");
  return parsed.data;
}

export function openApiDocument(routes: readonly ApiRoute[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = `/api${r.path}`.replace(/:(\w+)/g, "{$1}");
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const query = r.query ? queryParameters(r.query) : [];
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      "x-permission": r.access,
      ...(r.access === "public" ? { security: [] } : {}),
      parameters: [...params, ...query],
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: z.toJSONSchema(r.body, { io: "input" }) } },
            },
          }
        : {}),
      responses: {
        "2XX": { description: "Success" },
        default: {
          description: "Error",
          content: { "application/json": { schema: ERROR_SCHEMA } },
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Gatehouse admin API", version: "1" },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "gatehouse_session" },
        apiToken: { type: "http", scheme: "bearer" },
      },
    },
    security: [{ session: [] }, { apiToken: [] }],
    paths,
  };
}

function queryParameters(schema: z.ZodType) {
  const json = z.toJSONSchema(schema, { io: "input" }) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}

const ERROR_SCHEMA = {
  type: "object",
  properties: {
    type: { const: "error" },
    error: {
      type: "object",
      properties: { type: { type: "string" }, message: { type: "string" } },
    },
    request_id: { type: "string" },
  },
};
