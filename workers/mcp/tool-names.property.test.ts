// Properties of the names a gateway gives its upstreams' tools, for any tools the upstreams
// list: within 64 characters of MCP's tool-name charset, distinct, the same whatever order the
// upstreams answered in, each leading back to its own upstream tool.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exposeNames, MAX_NAME_LENGTH, type UpstreamName } from "./tool-names";

// MCP (2025-11-25, "Tool names"): ASCII letters, digits, `_`, `-` and `.`.
const MCP_TOOL_NAME = /^[A-Za-z0-9_.-]+$/;
const VALID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";

// Server names as /api/mcp-servers allows them: 1–32 of a-z, 0-9 and inner hyphens.
const serverName = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/);

// Upstream tool names: mostly well-formed, sometimes long, sometimes with characters MCP does
// not allow (spaces, slashes, accents, emoji), and names built to collide once shortened.
const toolName = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.string({ unit: fc.constantFrom(...VALID_CHARS), minLength: 1, maxLength: 30 }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.string({ unit: fc.constantFrom("a", "_", "1"), minLength: 55, maxLength: 90 }),
        fc.nat(99),
      )
      .map(([head, n]) => `${head}${n}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: fc.constantFrom("x", "_", "2"), maxLength: 3 })
      .map((s) => `t${s}`),
  },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("read file", "read_file", "files/read", "naïve", "🔧", "a b", "a_b"),
  },
);

interface Tool extends UpstreamName {
  key: string;
}

/** Tools of up to four servers with distinct names (unique per organisation), as listed. */
const toolSets: fc.Arbitrary<Tool[]> = fc
  .uniqueArray(serverName, { minLength: 1, maxLength: 4 })
  .chain((servers) =>
    fc.tuple(
      ...servers.map((server, i) =>
        fc.uniqueArray(toolName, { maxLength: 12 }).map((names) =>
          names.map((name) => ({
            serverId: `srv_${i}`,
            serverName: server,
            name,
            key: `srv_${i}/${name}`,
          })),
        ),
      ),
    ),
  )
  .map((perServer) => perServer.flat());

/**
 * Adds, beside some tools that got a hashed name, an upstream tool literally called that name:
 * a collision only the numeric suffix can settle.
 */
const withDecoys = (tools: Tool[]): fc.Arbitrary<Tool[]> => {
  const hashed = [...exposeNames(tools)].filter(
    ([exposed, t]) => exposed !== `${t.serverName}__${t.name}`,
  );
  return fc.subarray(hashed).map((chosen) => {
    const decoys = chosen
      .map(([exposed, t]) => ({ ...t, name: exposed.slice(t.serverName.length + 2) }))
      .filter((d) => !tools.some((t) => t.serverId === d.serverId && t.name === d.name));
    return [...tools, ...decoys.map((d) => ({ ...d, key: `${d.serverId}/${d.name}` }))];
  });
};
const collidingSets = toolSets.chain(withDecoys);

const upstreamOf = (names: Map<string, Tool>) =>
  new Map([...names].map(([exposed, tool]) => [exposed, tool.key]));

describe("exposed tool names (properties)", () => {
  it("stay within 64 characters of MCP's charset, one per upstream tool, behind its server's prefix", () => {
    fc.assert(
      fc.property(collidingSets, (tools) => {
        const names = exposeNames(tools);
        expect(names.size).toBe(tools.length);
        expect(new Set([...names.values()].map((t) => t.key)).size).toBe(tools.length);
        for (const [exposed, tool] of names) {
          expect(exposed.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
          expect(exposed, JSON.stringify(exposed)).toMatch(MCP_TOOL_NAME);
          expect(exposed.startsWith(`${tool.serverName}__`)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("keep a well-formed name that fits as `<server>__<tool>`", () => {
    fc.assert(
      fc.property(toolSets, (tools) => {
        const names = upstreamOf(exposeNames(tools));
        for (const tool of tools) {
          const full = `${tool.serverName}__${tool.name}`;
          const clashes = tools.some(
            (other) => other !== tool && `${other.serverName}__${other.name}` === full,
          );
          if (full.length <= MAX_NAME_LENGTH && MCP_TOOL_NAME.test(full) && !clashes) {
            expect(names.get(full)).toBe(tool.key);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("are the same whatever order the upstreams answered in", () => {
    fc.assert(
      fc.property(
        collidingSets.chain((tools) =>
          fc.tuple(fc.constant(tools), fc.shuffledSubarray(tools, { minLength: tools.length })),
        ),
        ([tools, shuffled]) => {
          expect(upstreamOf(exposeNames(shuffled))).toEqual(upstreamOf(exposeNames(tools)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("do not change when another server's tools come or go", () => {
    fc.assert(
      fc.property(
        toolSets.chain((tools) =>
          fc.tuple(fc.constant(tools), fc.subarray([...new Set(tools.map((t) => t.serverId))])),
        ),
        ([tools, kept]) => {
          const some = tools.filter((t) => kept.includes(t.serverId));
          expect(upstreamOf(exposeNames(some))).toEqual(
            new Map(
              [...upstreamOf(exposeNames(tools))].filter(([, key]) =>
                kept.some((id) => key.startsWith(`${id}/`)),
              ),
            ),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
