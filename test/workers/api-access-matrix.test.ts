// Every admin endpoint × every built-in role, a custom role, and no one. The route table's
// declared access is pinned here, so removing or loosening a permission fails this test until
// it is changed on purpose; then each route is called as each role, and allow/deny must follow
// from the declared permission and that role's permission set.
import { describe, expect, it } from "vitest";
import { API_ROUTES } from "../../workers/api";
import {
  BUILT_IN_ROLE_PERMISSIONS,
  type BUILT_IN_ROLES,
  isPermission,
  type Permission,
} from "../../workers/api/permissions";
import { type Admin, admin, apiClient, call, createUser } from "./helpers";

const DECLARED: Record<string, string> = {
  "GET /sso": "organisation:read",
  "PATCH /sso": "organisation:update",
  "GET /auth/providers": "public",
  "GET /auth/oidc/start": "public",
  "GET /auth/oidc/callback": "public",
  "GET /teams": "team:read",
  "GET /teams/:id": "team:read",
  "POST /teams": "team:create",
  "PATCH /teams/:id": "team:update",
  "DELETE /teams/:id": "team:delete",
  "POST /teams/:id/members": "team:update",
  "DELETE /teams/:id/members/:userId": "team:update",
  "POST /invitations": "member:create",
  "GET /invitations": "member:read",
  "DELETE /invitations/:id": "member:create",
  "GET /invitations/lookup": "public",
  "POST /invitations/accept": "public",
  "POST /users/:id/deactivate": "member:update",
  "POST /users/:id/reactivate": "member:update",
  "POST /users/:id/password-reset": "member:update",
  "POST /password-resets/accept": "public",
  "GET /audit": "audit:read",
  "GET /setup": "public",
  "POST /setup": "public",
  "POST /auth/login": "public",
  "POST /auth/logout": "signed-in",
  "GET /me": "signed-in",
  "POST /tokens": "signed-in",
  "GET /tokens": "signed-in",
  "DELETE /tokens/:id": "signed-in",
  "GET /sessions": "signed-in",
  "DELETE /sessions/:id": "signed-in",
  "GET /users": "member:read",
  "POST /users": "member:create",
  "PATCH /users/:id": "member:update",
  "GET /roles": "role:read",
  "POST /roles": "role:create",
  "PATCH /roles/:id": "role:update",
  "DELETE /roles/:id": "role:delete",
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
  "POST /connection-setups/credentials": "llmProxy:read",
  "GET /logs/llm": "log:read",
  "GET /logs/mcp": "log:read",
  "GET /telemetry/dead-letters": "log:read",
  "GET /telemetry/dead-letters/:id": "log:read",
  "POST /telemetry/dead-letters/:id/retry": "telemetry:update",
  "POST /telemetry/dead-letter-retries": "telemetry:update",
  "DELETE /telemetry/dead-letters/:id": "telemetry:update",
  "GET /observability/summary": "log:read",
  "GET /observability/filters": "log:read",
  "GET /observability/requests/:id": "log:read",
  "GET /mcp-servers": "mcpServer:read",
  "GET /mcp-servers/:id": "mcpServer:read",
  "POST /mcp-servers": "mcpServer:create",
  "PATCH /mcp-servers/:id": "mcpServer:update",
  "POST /mcp-servers/:id/test": "mcpServer:update",
  "PATCH /mcp-servers/:id/tools/:tool": "mcpServer:update",
  "DELETE /mcp-servers/:id": "mcpServer:delete",
  "GET /mcp-gateways": "mcpGateway:read",
  "GET /mcp-gateways/:id": "mcpGateway:read",
  "POST /mcp-gateways": "mcpGateway:create",
  "PATCH /mcp-gateways/:id": "mcpGateway:update",
  "DELETE /mcp-gateways/:id": "mcpGateway:delete",
  // The OAuth consent screen and connected clients (each route checks whose grant it is).
  "POST /oauth/consents": "signed-in",
  "POST /oauth/consents/:handle": "signed-in",
  "GET /oauth/connections": "signed-in",
  "DELETE /oauth/connections/:userId/:grantId": "signed-in",
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
  "GET /telemetry/exporter": "organisation:read",
  "PUT /telemetry/exporter": "telemetry:update",
  "DELETE /telemetry/exporter": "telemetry:update",
  "POST /telemetry/exporter/test": "telemetry:update",
  "POST /encryption-key/re-encrypt": "organisation:update",
  "GET /openapi.json": "public",
};

/** A custom role unlike any built-in: some reading, some writing, none of the key rights. */
const CUSTOM: readonly Permission[] = [
  "providerKey:read",
  "limit:read",
  "limit:update",
  "log:read",
  "member:read",
  "role:read",
  "organisation:read",
];

type Caller = (typeof BUILT_IN_ROLES)[number] | "custom" | "anonymous";

const PERMISSIONS_OF: Record<Exclude<Caller, "anonymous">, ReadonlySet<Permission>> = {
  ...BUILT_IN_ROLE_PERMISSIONS,
  custom: new Set(CUSTOM),
};

const routeKey = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

function expectedFor(access: string, caller: Caller): "allowed" | 401 | 403 {
  if (access === "public") return "allowed";
  if (caller === "anonymous") return 401;
  if (access === "signed-in") return "allowed";
  if (!isPermission(access)) throw new Error(`'${access}' is not a permission`);
  return PERMISSIONS_OF[caller].has(access) ? "allowed" : 403;
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

  it("declares only real permissions", () => {
    const bad = API_ROUTES.filter(
      (r) => r.access !== "public" && r.access !== "signed-in" && !isPermission(r.access),
    );
    expect(bad.map(routeKey)).toEqual([]);
  });
});

describe("the built-in roles", () => {
  it("admin holds everything; editor manages configuration but not people or secrets", () => {
    const editor = PERMISSIONS_OF.editor;
    for (const p of ["llmProxy:update", "limit:create", "price:update", "mcpGateway:create"]) {
      expect(editor.has(p as Permission), p).toBe(true);
    }
    for (const p of ["member:update", "role:create", "providerKey:read", "llmVirtualKey:admin"]) {
      expect(editor.has(p as Permission), p).toBe(false);
    }
    expect([...PERMISSIONS_OF.member].sort()).toEqual([
      "llmProxy:read",
      "llmVirtualKey:create",
      "llmVirtualKey:read",
      "mcpGateway:read",
    ]);
  });
});

describe("enforcement", () => {
  it("allows and refuses each route for each role as declared", { timeout: 60_000 }, async () => {
    const a: Admin = await admin();
    const role = await a.json<{ id: string }>("/roles", {
      body: { name: "Matrix auditor", permissions: CUSTOM },
    });
    const editor = await createUser(a, "matrix-editor@acme.test", "editor");
    const member = await createUser(a, "matrix@acme.test");
    const custom = await createUser(a, "matrix-custom@acme.test", role.id);
    const tokens: Record<Caller, string | undefined> = {
      admin: a.token,
      editor: editor.token,
      member: member.token,
      custom: custom.token,
      anonymous: undefined,
    };
    // Each caller's resolved set is the one the expectations below are computed from.
    for (const caller of ["admin", "editor", "member", "custom"] as const) {
      const token = tokens[caller] ?? "";
      const { user } = await apiClient(token).json<{ user: { permissions: string[] } }>("/me");
      expect(user.permissions.sort(), caller).toEqual([...PERMISSIONS_OF[caller]].sort());
    }
    const mismatches: string[] = [];
    // Logging out would end the session under test; it is checked in api-auth.test.ts.
    const routes = API_ROUTES.filter((r) => routeKey(r) !== "POST /auth/logout");
    for (const route of routes) {
      for (const caller of Object.keys(tokens) as Caller[]) {
        const expected = expectedFor(route.access, caller);
        const status = await callAs(tokens[caller], route.method.toUpperCase(), route.path);
        const ok =
          expected === "allowed"
            ? status !== 401 && status !== 403 && status < 500
            : status === expected;
        if (!ok)
          mismatches.push(`${routeKey(route)} as ${caller}: ${status}, expected ${expected}`);
      }
    }
    expect(mismatches).toEqual([]);
    // The tokens still work: nothing above revoked them.
    for (const caller of ["editor", "member", "custom"] as const) {
      expect((await apiClient(tokens[caller] ?? "").api("/me")).status).toBe(200);
    }
  });
});
