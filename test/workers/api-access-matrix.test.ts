// Every admin endpoint × every built-in role (and no one): the route table's declared access is
// pinned here, so removing or loosening a permission fails this test until it is changed on
// purpose; and each route is called as each role to check the declaration is what is enforced.
import { describe, expect, it } from "vitest";
import { API_ROUTES } from "../../workers/api";
import { can, type Role } from "../../workers/api/permissions";
import { type Admin, admin, apiClient, call, createUser } from "./helpers";

const DECLARED: Record<string, string> = {
  "GET /setup": "public",
  "POST /setup": "public",
  "POST /auth/login": "public",
  "POST /auth/logout": "signed-in",
  "GET /me": "signed-in",
  "POST /tokens": "signed-in",
  "GET /tokens": "signed-in",
  "DELETE /tokens/:id": "signed-in",
  "GET /users": "member:read",
  "POST /users": "member:create",
  "GET /provider-keys": "providerKey:read",
  "POST /provider-keys": "providerKey:create",
  "PATCH /provider-keys/:id": "providerKey:update",
  "DELETE /provider-keys/:id": "providerKey:delete",
  "GET /llm-proxies": "llmProxy:read",
  "GET /llm-proxies/:id": "llmProxy:read",
  "POST /llm-proxies": "llmProxy:create",
  "PATCH /llm-proxies/:id": "llmProxy:update",
  "DELETE /llm-proxies/:id": "llmProxy:delete",
  "GET /virtual-keys": "llmVirtualKey:read",
  "POST /virtual-keys": "llmVirtualKey:create",
  "POST /virtual-keys/:id/reveal": "llmVirtualKey:read",
  "DELETE /virtual-keys/:id": "llmVirtualKey:read",
  "POST /connection-setups/keys": "llmProxy:read",
  "POST /connection-setups/claude-desktop": "llmProxy:read",
  "GET /logs/llm": "log:read",
  "GET /usage": "cost:read",
  "GET /limits": "limit:read",
  "GET /limits/:id": "limit:read",
  "POST /limits": "limit:create",
  "PATCH /limits/:id": "limit:update",
  "DELETE /limits/:id": "limit:delete",
  "GET /model-prices": "price:read",
  "PATCH /model-prices/:model": "price:update",
  "DELETE /model-prices/:model": "price:update",
  "GET /organisation": "organisation:read",
  "PATCH /organisation": "organisation:update",
  "GET /openapi.json": "public",
};

const routeKey = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

function expectedFor(access: string, role: Role | "anonymous"): "allowed" | 401 | 403 {
  if (access === "public") return "allowed";
  if (role === "anonymous") return 401;
  if (access === "signed-in") return "allowed";
  return can(role, access as Parameters<typeof can>[1]) ? "allowed" : 403;
}

async function callAs(token: string | undefined, method: string, path: string) {
  const concrete = path.replace(/:(\w+)/g, "does-not-exist");
  const hasBody = method !== "GET" && method !== "DELETE";
  const res = await call(`/api${concrete}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(hasBody ? { "content-type": "application/json" } : {}),
    },
    body: hasBody ? "{}" : undefined,
  });
  await res.arrayBuffer();
  return res.status;
}

describe("the route table", () => {
  it("declares exactly the access pinned here for every route", () => {
    const declared = Object.fromEntries(API_ROUTES.map((r) => [routeKey(r), r.access]));
    expect(declared).toEqual(DECLARED);
  });
});

describe("enforcement", () => {
  it("allows and refuses each route for each role as declared", { timeout: 30_000 }, async () => {
    const a: Admin = await admin();
    const member = await createUser(a, "matrix@acme.test");
    const tokens: Record<Role | "anonymous", string | undefined> = {
      admin: a.token,
      member: member.token,
      anonymous: undefined,
    };
    const mismatches: string[] = [];
    // Logging out would end the session under test; it is checked in api-auth.test.ts.
    const routes = API_ROUTES.filter((r) => routeKey(r) !== "POST /auth/logout");
    for (const route of routes) {
      for (const role of ["admin", "member", "anonymous"] as const) {
        const expected = expectedFor(route.access, role);
        const status = await callAs(tokens[role], route.method.toUpperCase(), route.path);
        const ok =
          expected === "allowed"
            ? status !== 401 && status !== 403 && status < 500
            : status === expected;
        if (!ok) mismatches.push(`${routeKey(route)} as ${role}: ${status}, expected ${expected}`);
      }
    }
    expect(mismatches).toEqual([]);
    // The tokens still work: nothing above revoked them.
    expect((await apiClient(member.token).api("/me")).status).toBe(200);
  });
});
