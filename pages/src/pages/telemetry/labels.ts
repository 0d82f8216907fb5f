// How dead letters read: what kind of message each was, and what discarding one loses.
import type { DeadLetterKind } from "../../../../shared/api-types";

export const KINDS: Record<
  DeadLetterKind,
  { label: string; tone: "info" | "warn"; noun: string; lost: string }
> = {
  llm_request: {
    label: "LLM request",
    tone: "info",
    noun: "LLM request",
    lost: "it stays out of the LLM log and the usage figures",
  },
  mcp_tool_call: {
    label: "Tool call",
    tone: "info",
    noun: "tool call",
    lost: "it stays out of the MCP log",
  },
  unknown: {
    label: "Unknown shape",
    tone: "warn",
    noun: "message",
    lost: "the gateway cannot read it anyway",
  },
};
