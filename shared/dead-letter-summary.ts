// One line that tells dead letters apart in a list: a request's model, status and user; a tool
// call's tool, outcome and user; what little an unknown message says of itself. Read from the
// stored message, which may be of any shape (that can be why it is a dead letter).
import type { DeadLetterKind } from "./api-types";

const MAX = 200;

export function deadLetterSummary(kind: DeadLetterKind, body: unknown): string {
  const row = field(body, "row");
  const user = text(row, "userId");
  const parts =
    kind === "llm_request"
      ? [text(row, "model") ?? "no model", statusOf(row), user && `user ${user}`]
      : kind === "mcp_tool_call"
        ? [text(row, "tool") ?? "no tool", text(row, "outcome"), user && `user ${user}`]
        : unknownShape(body);
  const line = parts.filter((p): p is string => Boolean(p)).join(" · ");
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}

function unknownShape(body: unknown): (string | null)[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return [`not a message object (${body === null ? "null" : describe(body)})`];
  }
  const v = field(body, "v");
  const kind = text(body, "kind");
  const keys = Object.keys(body).slice(0, 5).join(", ");
  return [
    v === undefined ? "no version" : `version ${String(v).slice(0, 20)}`,
    kind && `kind ${kind}`,
    keys ? `fields ${keys}` : "no fields",
  ];
}

function describe(value: unknown): string {
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

function statusOf(row: unknown): string | null {
  const status = field(row, "status");
  return typeof status === "number" ? `status ${status}` : null;
}

/** What kind of message a dead letter holds, from the kind it names (if it names a known one). */
export function deadLetterKind(kind: unknown): DeadLetterKind {
  return kind === "llm_request" || kind === "mcp_tool_call" ? kind : "unknown";
}

/** A property of a value that may be anything. */
export function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null ? Reflect.get(value, name) : undefined;
}

function text(value: unknown, name: string): string | null {
  const v = field(value, name);
  return typeof v === "string" && v.length > 0 ? v.slice(0, 100) : null;
}
