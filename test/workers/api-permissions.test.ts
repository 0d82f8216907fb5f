// What a member may and may not do through the admin API, and what admins may do for members.
import { beforeAll, describe, expect, it } from "vitest";
import { expectApiError } from "./api-helpers";
import { type Admin, admin, createUser, proxyWithKey } from "./helpers";

type Member = Awaited<ReturnType<typeof createUser>>;

interface Key {
  id: string;
  token: string;
  ownerUserId: string;
  name: string;
  prefix: string;
}

let a: Admin;
let member: Member;
let other: Member;
let providerKeyId: string;
let proxyId: string;

beforeAll(async () => {
  a = await admin();
  ({ providerKeyId, proxyId } = await proxyWithKey(a));
  member = await createUser(a, "mia@acme.test");
  other = await createUser(a, "oli@acme.test");
});

const forbidden = (res: Response) => expectApiError(res, 403, "permission_error");

describe("a member is refused admin resources (403) and changes nothing", () => {
  it("provider keys: list, create, delete", async () => {
    await forbidden(await member.api("/provider-keys"));
    await forbidden(
      await member.api("/provider-keys", {
        body: { name: "Mine", provider: "anthropic", secret: "sk-ant-member-secret-1234" },
      }),
    );
    await forbidden(await member.api(`/provider-keys/${providerKeyId}`, { method: "DELETE" }));
    const { data } = await a.json<{ data: { id: string }[] }>("/provider-keys");
    expect(data.map((k) => k.id)).toEqual([providerKeyId]);
  });

  it("LLM proxies: create, update, delete", async () => {
    await forbidden(await member.api("/llm-proxies", { body: { name: "Rogue", providerKeyId } }));
    await forbidden(
      await member.api(`/llm-proxies/${proxyId}`, { method: "PATCH", body: { name: "Renamed" } }),
    );
    await forbidden(await member.api(`/llm-proxies/${proxyId}`, { method: "DELETE" }));
    const { data } = await a.json<{ data: { id: string; name: string }[] }>("/llm-proxies");
    expect(data.map((p) => [p.id, p.name])).toEqual([[proxyId, "Main"]]);
  });

  it("users: list and create", async () => {
    await forbidden(await member.api("/users"));
    await forbidden(
      await member.api("/users", {
        body: {
          email: "sneaky@acme.test",
          name: "Sneaky",
          role: "admin",
          password: "a long enough password",
        },
      }),
    );
    const { data } = await a.json<{ data: { email: string }[] }>("/users");
    expect(data.map((u) => u.email)).not.toContain("sneaky@acme.test");
  });

  it("logs", async () => {
    await forbidden(await member.api("/logs/llm"));
  });

  it("names the missing permission", async () => {
    const body = await forbidden(await member.api("/provider-keys"));
    expect(body.error.message).toContain("providerKey:read");
  });
});

describe("what a member may do", () => {
  it("lists and reads LLM proxies", async () => {
    const { data } = await member.json<{ data: { id: string; baseUrl: string }[] }>("/llm-proxies");
    expect(data.map((p) => p.id)).toEqual([proxyId]);
    expect((await member.json<{ id: string }>(`/llm-proxies/${proxyId}`)).id).toBe(proxyId);
  });

  it("creates their own virtual keys, and sees only their own", async () => {
    const res = await member.api("/virtual-keys", {
      body: { name: "laptop", kind: "standard", providerKeyId },
    });
    expect(res.status).toBe(201);
    const key = (await res.json()) as Key;
    expect(key.ownerUserId).toBe(member.id);
    await other.json("/virtual-keys", { body: { name: "other's", kind: "passthrough" } });
    // Asking for someone else's keys by owner filter still shows only the caller's.
    for (const path of ["/virtual-keys", `/virtual-keys?ownerUserId=${other.id}`]) {
      const { data } = await member.json<{ data: { ownerUserId: string }[] }>(path);
      expect(data.length).toBeGreaterThan(0);
      expect(data.every((k) => k.ownerUserId === member.id)).toBe(true);
    }
  });

  it("cannot create a key for someone else (403)", async () => {
    await forbidden(
      await member.api("/virtual-keys", {
        body: { name: "for oli", kind: "passthrough", ownerUserId: other.id },
      }),
    );
    const { data } = await a.json<{ data: { name: string }[] }>(
      `/virtual-keys?ownerUserId=${other.id}`,
    );
    expect(data.map((k) => k.name)).not.toContain("for oli");
  });

  it("cannot see, reveal or revoke someone else's key (404)", async () => {
    const theirs = await other.json<Key>("/virtual-keys", {
      body: { name: "oli's own", kind: "passthrough" },
    });
    const notFound = (res: Response) =>
      expectApiError(res, 404, "not_found_error", /No such virtual key/);
    const reveal = await notFound(
      await member.api(`/virtual-keys/${theirs.id}/reveal`, { method: "POST" }),
    );
    expect(JSON.stringify(reveal)).not.toContain(theirs.token);
    await notFound(await member.api(`/virtual-keys/${theirs.id}`, { method: "DELETE" }));
    // The same answer as for a key that does not exist at all.
    await notFound(await member.api("/virtual-keys/vk_doesnotexist/reveal", { method: "POST" }));
    const { data } = await other.json<{ data: { id: string; status: string }[] }>("/virtual-keys");
    expect(data.find((k) => k.id === theirs.id)?.status).toBe("active");
  });

  it("cannot set up connection keys for someone else", async () => {
    await forbidden(
      await member.api("/connection-setups/keys", { body: { proxyId, userId: other.id } }),
    );
  });
});

describe("an admin and members' keys", () => {
  it("may create a key for a member, which the member then owns and sees", async () => {
    const res = await a.api("/virtual-keys", {
      body: { name: "issued by admin", kind: "standard", providerKeyId, ownerUserId: member.id },
    });
    expect(res.status).toBe(201);
    const key = (await res.json()) as Key & { ownerEmail: string };
    expect(key).toMatchObject({ ownerUserId: member.id, ownerEmail: "mia@acme.test" });
    const { data } = await member.json<{ data: { id: string }[] }>("/virtual-keys");
    expect(data.map((k) => k.id)).toContain(key.id);
  });

  it("cannot reveal a member's key (403); only the owner can", async () => {
    const key = await a.json<Key>("/virtual-keys", {
      body: { name: "reveal test", kind: "passthrough", ownerUserId: member.id },
    });
    const refused = await forbidden(
      await a.api(`/virtual-keys/${key.id}/reveal`, { method: "POST" }),
    );
    expect(JSON.stringify(refused)).not.toContain(key.token);
    const own = await member.json<{ id: string; token: string }>(`/virtual-keys/${key.id}/reveal`, {
      method: "POST",
    });
    expect(own).toEqual({ id: key.id, token: key.token });
  });

  it("may list a member's keys and revoke them", async () => {
    const key = await member.json<Key>("/virtual-keys", {
      body: { name: "to be revoked by admin", kind: "passthrough" },
    });
    const { data } = await a.json<{ data: { id: string }[] }>(
      `/virtual-keys?ownerUserId=${member.id}`,
    );
    expect(data.map((k) => k.id)).toContain(key.id);
    expect((await a.api(`/virtual-keys/${key.id}`, { method: "DELETE" })).status).toBe(204);
    const after = await member.json<{ data: { id: string; status: string }[] }>(
      "/virtual-keys?includeRevoked=true",
    );
    expect(after.data.find((k) => k.id === key.id)?.status).toBe("revoked");
  });
});

describe("an admin and users", () => {
  it("lists users without any password material, and refuses a duplicate email (409)", async () => {
    const res = await a.api("/users");
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toMatch(/pbkdf2|password/i);
    const emails = (JSON.parse(text) as { data: { email: string }[] }).data.map((u) => u.email);
    expect(emails).toEqual(expect.arrayContaining(["ada@acme.test", "mia@acme.test"]));
    const again = await a.api("/users", {
      body: { email: "MIA@acme.test", name: "Mia 2", role: "member", password: "another password" },
    });
    await expectApiError(again, 409, "conflict_error");
  });
});
