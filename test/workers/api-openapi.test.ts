// GET /api/openapi.json describes every declared route, with its permission and input schemas.
import { beforeAll, describe, expect, it } from "vitest";
import { API_ROUTES } from "../../workers/api/index";
import { PERMISSIONS } from "../../workers/api/permissions";
import { call, ORIGIN } from "./helpers";

interface JsonSchema {
  type?: string;
  properties?: Record<string, unknown>;
  required?: string[];
}

interface Operation {
  summary?: string;
  "x-permission"?: string;
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean; schema: unknown }[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses?: Record<string, unknown>;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
}

let doc: Document;

beforeAll(async () => {
  const res = await call("/api/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  doc = (await res.json()) as Document;
});

const docPath = (path: string) => `/api${path}`.replace(/:(\w+)/g, "{$1}");

function operations(): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]): [string, string, Operation] => [method, path, op]),
  );
}

function operationOf(method: string, path: string): Operation {
  const op = doc.paths[docPath(path)]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${docPath(path)} is not documented`);
  return op;
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and served for this origin, without signing in", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.servers).toEqual([{ url: `${ORIGIN}/api` }]);
  });

  it("lists exactly the declared routes", () => {
    const declared = API_ROUTES.map((r) => `${r.method} ${docPath(r.path)}`).sort();
    const documented = operations()
      .map(([method, path]) => `${method} ${path}`)
      .sort();
    expect(documented).toEqual(declared);
    expect(declared.length).toBeGreaterThanOrEqual(20);
    expect(new Set(declared).size).toBe(declared.length);
  });

  it("gives each operation a summary and its permission as x-permission", () => {
    const allowed = new Set<string>(["public", "signed-in", ...PERMISSIONS]);
    for (const r of API_ROUTES) {
      const op = operationOf(r.method, r.path);
      expect(op["x-permission"]).toBe(r.access);
      expect(allowed.has(op["x-permission"] ?? "")).toBe(true);
      expect(op.summary).toBe(r.summary);
      expect(op.summary?.length).toBeGreaterThan(0);
      if (r.access === "public") expect(op.security).toEqual([]);
      else expect(op.security).toBeUndefined();
    }
    expect(operationOf("post", "/provider-keys")["x-permission"]).toBe("providerKey:create");
    expect(operationOf("get", "/logs/llm")["x-permission"]).toBe("log:read");
    expect(operationOf("get", "/me")["x-permission"]).toBe("signed-in");
  });

  it("describes each request body as a JSON Schema, and only where there is a body", () => {
    for (const r of API_ROUTES) {
      const op = operationOf(r.method, r.path);
      if (!r.body) {
        expect(op.requestBody, `${r.method} ${r.path}`).toBeUndefined();
        continue;
      }
      expect(op.requestBody?.required).toBe(true);
      const schema = op.requestBody?.content["application/json"]?.schema;
      expect(schema?.type, `${r.method} ${r.path}`).toBe("object");
      expect(schema?.properties).toBeDefined();
    }
    const pk = operationOf("post", "/provider-keys").requestBody?.content["application/json"];
    expect(Object.keys(pk?.schema.properties ?? {}).sort()).toEqual([
      "baseUrl",
      "name",
      "provider",
      "secret",
    ]);
    expect(pk?.schema.required?.sort()).toEqual(["name", "provider", "secret"]);
    const vk = operationOf("post", "/virtual-keys").requestBody?.content["application/json"];
    expect(vk?.schema.properties).toHaveProperty("kind");
    expect(vk?.schema.required).toEqual(expect.arrayContaining(["name", "kind"]));
  });

  it("declares path and query parameters", () => {
    for (const r of API_ROUTES) {
      const names = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      const params = operationOf(r.method, r.path).parameters ?? [];
      for (const name of names) {
        expect(params).toContainEqual(
          expect.objectContaining({ name, in: "path", required: true }),
        );
      }
    }
    const logs = operationOf("get", "/logs/llm").parameters ?? [];
    const query = logs.filter((p) => p.in === "query").map((p) => p.name);
    expect(query).toEqual(
      expect.arrayContaining(["userId", "model", "status", "agentId", "from", "to", "limit"]),
    );
    expect(query).toContain("cursor");
    expect(logs.every((p) => p.in !== "query" || p.required === false)).toBe(true);
  });

  it("documents the error shape", () => {
    const op = operationOf("get", "/me");
    expect(JSON.stringify(op.responses)).toContain("request_id");
  });

  it("documents only routes that exist: each answers, and never 404s for lack of a route", async () => {
    for (const r of API_ROUTES) {
      const path = docPath(r.path).replace(/\{\w+\}/g, "x_id");
      const res = await call(path, {
        method: r.method.toUpperCase(),
        headers: r.body ? { "content-type": "application/json" } : {},
        body: r.body ? "{}" : undefined,
        // A redirect (SSO start) goes to a dashboard page the Worker does not serve.
        redirect: "manual",
      });
      const text = await res.text();
      expect(text, `${r.method} ${path}`).not.toMatch(/No route for/);
      if (r.access !== "public") expect(res.status, `${r.method} ${path}`).toBe(401);
    }
  });
});
