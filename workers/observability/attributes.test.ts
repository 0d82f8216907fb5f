// Every conventions name Gatehouse exports is the one @opentelemetry/semantic-conventions
// spells, so a rename in the conventions shows up here rather than in someone's dashboard.
import * as semconv from "@opentelemetry/semantic-conventions/incubating";
import { describe, expect, it } from "vitest";
import { Gatehouse, MetricName, Semconv, SemconvValue } from "./attributes";

const constants = semconv as unknown as Record<string, unknown>;

describe("attribute and metric names", () => {
  it("match the package's ATTR_ constants, one for one", () => {
    for (const [name, value] of Object.entries(Semconv)) {
      expect({ name, value: constants[`ATTR_${name}`] }).toEqual({ name, value });
    }
  });

  it("match the package's METRIC_ constants where it has one", () => {
    const conventional = Object.entries(MetricName).filter(([, v]) => !v.startsWith("gatehouse."));
    expect(conventional.length).toBe(4);
    for (const [name, value] of conventional) {
      expect({ name, value: constants[`METRIC_${name}`] }).toEqual({ name, value });
    }
  });

  it("use the package's well-known values", () => {
    expect(SemconvValue.OPERATION_CHAT).toBe(semconv.GEN_AI_OPERATION_NAME_VALUE_CHAT);
    expect(SemconvValue.OPERATION_EXECUTE_TOOL).toBe(
      semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
    );
    expect(SemconvValue.PROVIDER_ANTHROPIC).toBe(semconv.GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC);
    expect(SemconvValue.TOKEN_INPUT).toBe(semconv.GEN_AI_TOKEN_TYPE_VALUE_INPUT);
    expect(SemconvValue.TOKEN_OUTPUT).toBe(semconv.GEN_AI_TOKEN_TYPE_VALUE_OUTPUT);
  });

  it("keep Gatehouse's own names in its namespace", () => {
    for (const value of Object.values(Gatehouse)) expect(value).toMatch(/^gatehouse\.[a-z0-9_.]+$/);
  });
});
