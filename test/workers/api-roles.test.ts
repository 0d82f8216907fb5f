// Roles as data: the built-in roles, an organisation's custom roles, assigning them to people,
// and the rules that keep this safe (unknown permissions, the last admin, roles in use, and
// nobody handing out more than they hold).
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { MemberView, RoleView } from "../../shared/api-types";
import { PERMISSIONS } from "../../workers/api/permissions";
import { expectApiError, expectFieldError, otherOrganisation, rows } from "./api-helpers";
import { type Admin, admin, type apiClient, call, createUser, proxyWithKey } from "./helpers";

type Client = ReturnType<typeof apiClient>;

let a: Admin;
let proxyId: string;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
});

const createRole = (name: string, permissions: string[], description?: string) =>
  a.json<RoleView>("/roles", { body: { name, permissions, description } });

const listRoles = async () => (await a.json<{ data: RoleView[] }>("/roles")).data;

const setRole = (userId: string, role: string, by: Client = a) =>
  by.api(`/users/${userId}`, { method: "PATCH", body: { role } });

async function permissionsOf(client: Client) {
  return (await client.json<{ user: { permissions: string[] } }>("/me")).user.permissions;
}

describe("listing roles", () => {
  it("lists admin, editor and member as built-in, with their permissions", async () => {
    const roles = await listRoles();
    const builtIn = roles.filter((r) => r.builtIn);
    expect(builtIn.map((r) => [r.id, r.name])).toEqual([
      ["admin", "Admin"],
      ["editor", "Editor"],
      ["member", "Member"],
    ]);
    expect(builtIn[0]?.permissions).toEqual([...PERMISSIONS]);
    expect(builtIn[1]?.permissions).toContain("llmProxy:update");
    expect(builtIn[1]?.permissions).not.toContain("member:update");
    expect(builtIn[2]?.permissions.sort()).toEqual([
      "llmProxy:read",
      "llmVirtualKey:create",
      "llmVirtualKey:read",
      "mcpGateway:read",
    ]);
    expect(builtIn.every((r) => (r.description ?? "").length > 0)).toBe(true);
  });
});

describe("custom roles", () => {
  it("are created, edited and deleted", async () => {
    const res = await a.api("/roles", {
      body: {
        name: "Finance",
        description: "Reads what things cost",
        // Out of order and repeated: stored once each, in the canonical order.
        permissions: ["log:read", "cost:read", "log:read"],
      },
    });
    expect(res.status).toBe(201);
    const role = (await res.json()) as RoleView;
    expect(role).toEqual({
      id: expect.stringMatching(/^rol_[0-9a-z]{20}$/),
      name: "Finance",
      builtIn: false,
      description: "Reads what things cost",
      permissions: ["log:read", "cost:read"],
    });
    expect(await listRoles()).toContainEqual(role);

    const edited = await a.json<RoleView>(`/roles/${role.id}`, {
      method: "PATCH",
      body: { name: "Finance team", description: null, permissions: ["cost:read", "limit:read"] },
    });
    expect(edited).toEqual({
      ...role,
      name: "Finance team",
      description: null,
      permissions: ["limit:read", "cost:read"],
    });
    expect(await listRoles()).toContainEqual(edited);

    expect((await a.api(`/roles/${role.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await listRoles()).map((r) => r.id)).not.toContain(role.id);
    await expectApiError(
      await a.api(`/roles/${role.id}`, { method: "PATCH", body: { name: "Ghost" } }),
      404,
      "not_found_error",
    );
  });

  it("refuses unknown permission names with a 400 that names them", async () => {
    const res = await a.api("/roles", {
      body: { name: "Typos", permissions: ["log:read", "logs:read", "everything"] },
    });
    const body = await expectFieldError(res, "permissions");
    expect(body.error.message).toContain("logs:read");
    expect(body.error.message).toContain("everything");
    expect(body.error.message).not.toContain("log:read,");
    expect((await listRoles()).map((r) => r.name)).not.toContain("Typos");

    const role = await createRole("Typo target", ["log:read"]);
    const patch = await a.api(`/roles/${role.id}`, {
      method: "PATCH",
      body: { permissions: ["cost:raed"] },
    });
    expect((await expectFieldError(patch, "permissions")).error.message).toContain("cost:raed");
  });

  it("refuses the names of built-in roles and names already taken", async () => {
    for (const name of ["admin", "Editor", " MEMBER "]) {
      await expectFieldError(await a.api("/roles", { body: { name, permissions: [] } }), "name");
    }
    await createRole("Auditors", ["log:read"]);
    for (const name of ["Auditors", "auditors"]) {
      await expectApiError(
        await a.api("/roles", { body: { name, permissions: [] } }),
        409,
        "conflict_error",
        /already exists/,
      );
    }
    const other = await createRole("Reviewers", []);
    await expectApiError(
      await a.api(`/roles/${other.id}`, { method: "PATCH", body: { name: "AUDITORS" } }),
      409,
      "conflict_error",
      /already exists/,
    );
  });

  it("never lets a built-in role be changed or deleted", async () => {
    await expectApiError(
      await a.api("/roles/admin", { method: "PATCH", body: { permissions: [] } }),
      400,
      "invalid_request_error",
      /built-in role/,
    );
    await expectApiError(
      await a.api("/roles/member", { method: "DELETE" }),
      400,
      "invalid_request_error",
      /built-in role/,
    );
    expect((await listRoles()).find((r) => r.id === "admin")?.permissions).toEqual([
      ...PERMISSIONS,
    ]);
  });

  it("cannot be deleted while anyone holds them; the refusal says how many do", async () => {
    const role = await createRole("Temporary", ["llmProxy:read"]);
    const one = await createUser(a, "temp1@acme.test", role.id);
    const two = await createUser(a, "temp2@acme.test", role.id);
    const del = () => a.api(`/roles/${role.id}`, { method: "DELETE" });
    await expectApiError(await del(), 409, "conflict_error", /held by 2 users/);
    expect((await setRole(one.id, "member")).status).toBe(200);
    await expectApiError(await del(), 409, "conflict_error", /held by 1 user\b/);
    expect((await setRole(two.id, "member")).status).toBe(200);
    expect((await del()).status).toBe(204);
  });
});

describe("people and roles", () => {
  it("a user can be created with a custom role; unknown or foreign roles are refused", async () => {
    const role = await createRole("Observers", ["log:read"]);
    const made = await a.json<MemberView>("/users", {
      body: { email: "obs@acme.test", name: "Obs", role: role.id, password: "observer password" },
    });
    expect(made.role).toBe(role.id);

    const elsewhere = await otherOrganisation();
    const foreign = "rol_fromanotherorganisat";
    await env.DB.prepare(
      "INSERT INTO roles (id, org_id, name, permissions, created_at, updated_at) VALUES (?, ?, 'Theirs', '[]', 0, 0)",
    )
      .bind(foreign, elsewhere.orgId)
      .run();
    for (const bad of ["rol_doesnotexist", foreign]) {
      const res = await a.api("/users", {
        body: { email: `x-${bad}@acme.test`, name: "X", role: bad, password: "a long password" },
      });
      await expectFieldError(res, "role");
      await expectFieldError(await setRole(made.id, bad), "role");
    }
    expect(await rows("SELECT id FROM users WHERE email LIKE 'x-%'")).toEqual([]);
  });

  it("renames a user and changes their role, effective on their next request", async () => {
    const user = await createUser(a, "ren@acme.test");
    const renamed = await a.json<MemberView>(`/users/${user.id}`, {
      method: "PATCH",
      body: { name: "Renée" },
    });
    expect(renamed).toMatchObject({ id: user.id, name: "Renée", role: "member" });
    await expectApiError(await user.api("/limits"), 403, "permission_error", /limit:read/);
    const changed = await a.json<MemberView>(`/users/${user.id}`, {
      method: "PATCH",
      body: { role: "editor" },
    });
    expect(changed).toMatchObject({ name: "Renée", role: "editor" });
    expect((await user.api("/limits")).status).toBe(200);
    expect(await permissionsOf(user)).toContain("limit:create");
    await expectApiError(
      await a.api("/users/usr_doesnotexist", { method: "PATCH", body: { name: "Nobody" } }),
      404,
      "not_found_error",
    );
  });

  it("never leaves the organisation without an active admin", async () => {
    const almostAdmin = await createRole("Almost admin", [...PERMISSIONS]);
    for (const role of ["member", "editor", almostAdmin.id]) {
      await expectApiError(
        await setRole(a.userId, role),
        409,
        "conflict_error",
        /without an active admin/,
      );
    }
    // With a second admin, either one may step down, but not both.
    const bob = await createUser(a, "bob@acme.test", "admin");
    expect((await setRole(bob.id, "member", bob)).status).toBe(200);
    await expectApiError(await setRole(a.userId, "member"), 409, "conflict_error");
    expect((await a.json<{ user: { role: string } }>("/me")).user.role).toBe("admin");
    expect(await permissionsOf(bob)).not.toContain("member:update");
  });

  it("nobody grants or takes away permissions they do not hold", async () => {
    const managers = await createRole("People managers", [
      "member:read",
      "member:update",
      "role:read",
      "role:create",
      "role:update",
      "llmProxy:read",
    ]);
    const pm = await createUser(a, "pm@acme.test", managers.id);
    const refused = (res: Response) => expectApiError(res, 403, "permission_error", /not hold/);
    await refused(await setRole(pm.id, "admin", pm));
    await refused(await setRole(a.userId, "member", pm));
    await refused(
      await pm.api("/roles", { body: { name: "Keys", permissions: ["providerKey:read"] } }),
    );
    await refused(
      await pm.api(`/roles/${managers.id}`, {
        method: "PATCH",
        body: { permissions: ["member:read", "member:update", "providerKey:read"] },
      }),
    );
    // A member holds llmVirtualKey:create, which the manager does not: theirs to keep.
    const member = await createUser(a, "kept@acme.test");
    await refused(await setRole(member.id, "editor", pm));
    // Within their own permissions they may.
    const readers = await pm.json<RoleView>("/roles", {
      body: { name: "Readers", permissions: ["llmProxy:read"] },
    });
    const lookers = await pm.json<RoleView>("/roles", {
      body: { name: "Lookers", permissions: ["llmProxy:read", "member:read"] },
    });
    const moved = await createUser(a, "moved@acme.test", readers.id);
    expect((await setRole(moved.id, lookers.id, pm)).status).toBe(200);
    expect(await permissionsOf(moved)).toEqual(["llmProxy:read", "member:read"]);
  });
});

describe("a role's permissions", () => {
  it("take effect on the holder's next request when the role changes", async () => {
    const role = await createRole("Changing", ["llmProxy:read"]);
    const user = await createUser(a, "changing@acme.test", role.id);
    await expectApiError(await user.api("/logs/llm"), 403, "permission_error", /log:read/);
    const patch = (permissions: string[]) =>
      a.json(`/roles/${role.id}`, { method: "PATCH", body: { permissions } });
    await patch(["llmProxy:read", "log:read"]);
    expect((await user.api("/logs/llm")).status).toBe(200);
    expect(await permissionsOf(user)).toEqual(["llmProxy:read", "log:read"]);
    await patch(["llmProxy:read"]);
    await expectApiError(await user.api("/logs/llm"), 403, "permission_error");
  });
});

describe("Connection keys for someone who may not create keys", () => {
  it("are refused until an admin makes them; the download then uses exactly those", async () => {
    const role = await createRole("Connect only", ["llmProxy:read", "llmVirtualKey:read"]);
    const user = await createUser(a, "connect@acme.test", role.id);
    const download = () => user.api("/connection-setups/claude-desktop", { body: { proxyId } });
    await expectApiError(await download(), 403, "permission_error", /llmVirtualKey:create/);
    await expectApiError(
      await user.api("/virtual-keys", { body: { name: "mine", kind: "passthrough" } }),
      403,
      "permission_error",
    );
    expect(await rows("SELECT id FROM virtual_keys WHERE owner_user_id = ?", user.id)).toEqual([]);

    const made = await a.json<{
      standardKey: { id: string; ownerUserId: string };
      passthroughKey: { id: string; ownerUserId: string };
    }>("/connection-setups/keys", { body: { proxyId, userId: user.id } });
    expect(made.standardKey.ownerUserId).toBe(user.id);

    const res = await download();
    expect(res.status, await res.clone().text()).toBe(200);
    const { profile } = (await res.json()) as {
      profile: {
        inference: { credential: { apiKey: string }; customHeaders: Record<string, string> };
      };
    };
    const reveal = (id: string) =>
      user.json<{ token: string }>(`/virtual-keys/${id}/reveal`, { method: "POST" });
    expect((await reveal(made.standardKey.id)).token).toBe(profile.inference.credential.apiKey);
    expect((await reveal(made.passthroughKey.id)).token).toBe(
      profile.inference.customHeaders["X-Archestra-Virtual-Key"],
    );
    expect(await rows("SELECT id FROM virtual_keys WHERE owner_user_id = ?", user.id)).toHaveLength(
      2,
    );

    const proxied = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers: {
        "x-api-key": profile.inference.credential.apiKey,
        ...profile.inference.customHeaders,
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
      },
      body: JSON.stringify({
        model: "claude-haiku-4-5-20251001",
        max_tokens: 8,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(proxied.status, await proxied.clone().text()).toBe(200);
    await proxied.arrayBuffer();
  });
});
