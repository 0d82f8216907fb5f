// How the gateway names its upstreams' tools: `<server>__<tool>`, never over 64 characters,
// the same name for the same tool whatever order the upstreams answer in, no two alike.
import { describe, expect, it } from "vitest";
import { exposeNames, MAX_NAME_LENGTH } from "../../workers/mcp/tool-names";

const tool = (serverName: string, name: string) => ({
  serverId: `id-${serverName}`,
  serverName,
  name,
});

describe("exposed tool names", () => {
  it("prefix the server's name", () => {
    const names = exposeNames([tool("github", "create_issue"), tool("jira", "create_issue")]);
    expect([...names.keys()]).toEqual(["github__create_issue", "jira__create_issue"]);
    expect(names.get("jira__create_issue")?.name).toBe("create_issue");
  });

  it("stay within 64 characters, and long names stay apart and stable", () => {
    const long = "x".repeat(80);
    const items = [
      tool("server", `${long}_one`),
      tool("server", `${long}_two`),
      tool("a-very-long-server-name-indeed", "y".repeat(70)),
    ];
    const names = exposeNames(items);
    expect(names.size).toBe(3);
    for (const name of names.keys()) expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    const again = exposeNames([...items].reverse());
    expect([...again.keys()].sort()).toEqual([...names.keys()].sort());
    for (const [name, entry] of names) expect(again.get(name)?.name).toBe(entry.name);
  });

  it("use only MCP's tool-name characters, keeping names that differ apart", () => {
    // Found by workers/mcp/tool-names.property.test.ts: an upstream tool named "\u0000" was
    // exposed as "s__\u0000".
    const names = exposeNames([
      tool("s", "\u0000"),
      tool("s", "read file"),
      tool("s", "read_file"),
      tool("s", "naïve 🔧"),
    ]);
    expect(names.get("s__read_file")?.name).toBe("read_file");
    for (const name of names.keys()) expect(name).toMatch(/^s__[A-Za-z0-9_.-]{1,61}$/);
    expect(names.size).toBe(4);
  });

  it("resolve collisions deterministically, whatever order the upstreams answered in", () => {
    // Two different upstream names that shorten to the same 64 characters only if the hash
    // collides: force a collision with identical names from servers whose names also match.
    const a = { serverId: "s1", serverName: "dup", name: "tool" };
    const b = { serverId: "s2", serverName: "dup", name: "tool" };
    const first = exposeNames([a, b]);
    const second = exposeNames([b, a]);
    expect([...first.keys()].sort()).toEqual(["dup__tool", "dup__tool_2"]);
    expect([...second.keys()].sort()).toEqual(["dup__tool", "dup__tool_2"]);
  });
});
