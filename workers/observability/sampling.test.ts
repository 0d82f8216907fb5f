// Trace sampling: parent-based (a client's unsampled `traceparent` drops the trace), then by
// trace-id ratio; a trace is exported or dropped whole.
import { describe, expect, it } from "vitest";
import { decodeTraces } from "../../test/fakes/otlp-receiver";
import type { TelemetryMessage } from "../telemetry/message";
import { CLIENT_PARENT, llmMessage, T0, toolMessage } from "./messages.fixture";
import { type ExportOptions, tracePayload } from "./payloads";
import { parentSampled, ratioKeeps } from "./sampling";

const options = (samplingRatio: number): ExportOptions => ({
  protocol: "http/protobuf",
  samplingRatio,
  captureContent: false,
  now: T0 + 60_000,
});

function randomTraceId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
}

/** An LLM request and the MCP tool call of the same trace. */
function traceOf(traceId: string, flags = "01"): TelemetryMessage[] {
  const traceparent = `00-${traceId}-${CLIENT_PARENT}-${flags}`;
  return [
    llmMessage({ id: `req_${traceId}`, traceId }, { traceparent }),
    toolMessage({ id: `call_${traceId}`, traceId }, { traceparent }),
  ];
}

function exportedTraceIds(messages: TelemetryMessage[], ratio: number): string[] {
  const payload = tracePayload(messages, options(ratio));
  if (!payload) return [];
  return decodeTraces(payload.body, payload.contentType).map((s) => s.traceId);
}

describe("trace sampling", () => {
  it("exports nothing at ratio 0, everything at ratio 1", () => {
    const messages = Array.from({ length: 50 }, () => traceOf(randomTraceId())).flat();
    expect(tracePayload(messages, options(0))).toBeUndefined();
    const all = tracePayload(messages, options(1));
    expect(all?.items).toBe(200);
  });

  it("keeps about half of 2000 random traces at ratio 0.5", () => {
    const messages = Array.from({ length: 2000 }, () =>
      llmMessage({ id: crypto.randomUUID(), traceId: randomTraceId() }, { traceparent: undefined }),
    );
    const kept = new Set(exportedTraceIds(messages, 0.5)).size;
    expect(kept).toBeGreaterThanOrEqual(800);
    expect(kept).toBeLessThanOrEqual(1200);
  });

  it("drops a trace whose client sent traceparent without the sampled flag, even at ratio 1", () => {
    const unsampled = randomTraceId();
    const sampled = randomTraceId();
    const ids = exportedTraceIds([...traceOf(unsampled, "00"), ...traceOf(sampled, "01")], 1);
    expect(ids).toHaveLength(4);
    expect(new Set(ids)).toEqual(new Set([sampled]));
    expect(tracePayload(traceOf(unsampled, "00"), options(1))).toBeUndefined();
  });

  it("keeps or drops the LLM request and the MCP tool call of one trace alike", () => {
    const traces = Array.from({ length: 400 }, () => randomTraceId());
    const ids = exportedTraceIds(
      traces.flatMap((t) => traceOf(t)),
      0.5,
    );
    const perTrace = new Map<string, number>();
    for (const id of ids) perTrace.set(id, (perTrace.get(id) ?? 0) + 1);
    // Each kept trace has all four spans (two per message); some are kept and some dropped.
    expect([...perTrace.values()].every((n) => n === 4)).toBe(true);
    expect(perTrace.size).toBeGreaterThan(100);
    expect(perTrace.size).toBeLessThan(300);
    // The same trace decides the same when its messages arrive in different batches.
    for (const t of traces.slice(0, 50)) {
      const [llm, tool] = traceOf(t);
      if (!llm || !tool) throw new Error("fixture");
      expect(exportedTraceIds([llm], 0.5).length > 0).toBe(
        exportedTraceIds([tool], 0.5).length > 0,
      );
    }
  });

  it("reads the sampled flag and compares the trace id's low 56 bits with the ratio", () => {
    expect(parentSampled(`00-${"a".repeat(32)}-${"b".repeat(16)}-01`)).toBe(true);
    expect(parentSampled(`00-${"a".repeat(32)}-${"b".repeat(16)}-00`)).toBe(false);
    expect(parentSampled(undefined)).toBeUndefined();
    const low = (hex14: string) => `${"f".repeat(18)}${hex14}`;
    // 0x40000000000000 is exactly a quarter of 2^56.
    expect(ratioKeeps(low("3fffffffffffff"), 0.25)).toBe(true);
    expect(ratioKeeps(low("40000000000000"), 0.25)).toBe(false);
    expect(ratioKeeps(low("ffffffffffffff"), 1)).toBe(true);
    expect(ratioKeeps(low("00000000000000"), 0)).toBe(false);
  });
});
