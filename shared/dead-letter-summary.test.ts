import { describe, expect, it } from "vitest";
import { deadLetterSummary } from "./dead-letter-summary";

describe("a dead letter's one-line summary", () => {
  it("names a request's model, status and user", () => {
    const body = {
      v: 1,
      kind: "llm_request",
      row: { model: "claude-haiku-4-5", status: 200, userId: "u_1" },
    };
    expect(deadLetterSummary("llm_request", body)).toBe("claude-haiku-4-5 · status 200 · user u_1");
  });

  it("names a tool call's tool and outcome", () => {
    const body = {
      kind: "mcp_tool_call",
      row: { tool: "github__search", outcome: "tool_error", userId: "u_2" },
    };
    expect(deadLetterSummary("mcp_tool_call", body)).toBe("github__search · tool_error · user u_2");
  });

  it("says what is missing from a request without a model or user", () => {
    expect(deadLetterSummary("llm_request", { row: { status: 499 } })).toBe(
      "no model · status 499",
    );
    expect(deadLetterSummary("llm_request", { row: "garbage" })).toBe("no model");
  });

  it("describes a message of an unknown shape by what it has", () => {
    expect(deadLetterSummary("unknown", { v: 99 })).toBe("version 99 · fields v");
    expect(deadLetterSummary("unknown", { kind: "span", x: 1 })).toBe(
      "no version · kind span · fields kind, x",
    );
    expect(deadLetterSummary("unknown", {})).toBe("no version · no fields");
    expect(deadLetterSummary("unknown", "hello")).toBe("not a message object (a string)");
    expect(deadLetterSummary("unknown", null)).toBe("not a message object (null)");
    expect(deadLetterSummary("unknown", [1])).toBe("not a message object (an array)");
  });

  it("stays one short line whatever the message holds", () => {
    const long = "m".repeat(5000);
    const line = deadLetterSummary("llm_request", {
      row: { model: long, userId: long, status: 1 },
    });
    expect(line.length).toBeLessThanOrEqual(200);
  });
});
