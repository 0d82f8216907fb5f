// Request bodies and query values for the API fuzz, generated from the JSON Schemas the
// OpenAPI document publishes: values the schema accepts (to reach the handlers behind
// validation), and the same with one thing wrong (a wrong type, a missing field, an extra one,
// a huge string), so every branch of input handling is exercised.
import fc from "fast-check";

export interface JsonSchema {
  type?: "string" | "number" | "integer" | "boolean" | "null" | "array" | "object";
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

// A URL the Worker could be asked to reach: loopback port 9 refuses at once, never the network.
const URLS = ["http://127.0.0.1:9/v1", "http://127.0.0.1:9/mcp"];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function stringOf(s: JsonSchema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = Math.min(s.maxLength ?? 64, 64);
  if (s.format === "uri") return fc.constantFrom(...URLS);
  if (s.pattern) {
    const fits = (v: string) => v.length >= minLength && v.length <= (s.maxLength ?? v.length);
    return fc.stringMatching(new RegExp(s.pattern), { maxLength: s.maxLength }).filter(fits);
  }
  return fc.string({ unit: "grapheme", minLength, maxLength: Math.max(minLength, maxLength) });
}

function numberOf(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const low = s.exclusiveMinimum ?? s.minimum;
  if (integer) {
    const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : (low ?? -1e6);
    return fc.integer({ min, max: Math.min(s.maximum ?? 1e9, Number.MAX_SAFE_INTEGER) });
  }
  return fc.double({
    min: low ?? -1e6,
    max: s.maximum ?? 1e9,
    minExcluded: s.exclusiveMinimum !== undefined,
    noNaN: true,
    noDefaultInfinity: true,
  });
}

/**
 * Values for properties of a given name, wherever they appear, instead of the schema's: real
 * ids, role names, reachable URLs. Refinements behind the schema (an id must exist, a zone must
 * be real) refuse most random values; these get generated bodies through to the handlers. (The
 * wrong-type and nearly-valid cases still vary these properties.)
 */
export type Hints = Readonly<Record<string, fc.Arbitrary<Json>>>;

function objectOf(s: JsonSchema, hints: Hints): fc.Arbitrary<Json> {
  const props = Object.fromEntries(
    Object.entries(s.properties ?? {}).map(([k, v]) => [k, hints[k] ?? accepted(v, hints)]),
  );
  const known = fc.record(props, { requiredKeys: s.required ?? [] });
  const extra = s.additionalProperties;
  if (typeof extra !== "object") return known;
  const keys = s.propertyNames ? stringOf(s.propertyNames) : fc.string({ maxLength: 12 });
  return fc
    .tuple(known, fc.dictionary(keys, accepted(extra, hints), { maxKeys: 3 }))
    .map(([a, b]) => ({ ...b, ...a }));
}

/** Values the schema accepts (as far as JSON Schema can say: refinements may still refuse). */
export function accepted(s: JsonSchema, hints: Hints = {}): fc.Arbitrary<Json> {
  if (s.const !== undefined) return fc.constant(s.const as Json);
  if (s.enum) return fc.constantFrom(...(s.enum as Json[]));
  const choices = s.anyOf ?? s.oneOf;
  if (choices) return fc.oneof(...choices.map((c) => accepted(c, hints)));
  switch (s.type) {
    case "string":
      return stringOf(s);
    case "integer":
    case "number":
      return numberOf(s, s.type === "integer");
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(accepted(s.items ?? {}, hints), {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 4, 4)),
      });
    case "object":
      return objectOf(s, hints);
    default:
      return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
  }
}

/** The JSON types a schema allows. */
function typesOf(s: JsonSchema): Set<string> {
  const choices = s.anyOf ?? s.oneOf;
  if (choices) return new Set(choices.flatMap((c) => [...typesOf(c)]));
  const literals = s.const !== undefined ? [s.const] : s.enum;
  if (literals) return new Set(literals.map(jsonType));
  if (s.type === "integer") return new Set(["number"]);
  return new Set(s.type ? [s.type] : ["string", "number", "boolean", "null", "array", "object"]);
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

const WRONG: readonly Json[] = [12345, "12345", true, null, [], {}, [1, "two"], { nested: {} }];

/** Values of JSON types the schema does not allow. */
export function wrongValues(s: JsonSchema): Json[] {
  const allowed = typesOf(s);
  return WRONG.filter((v) => !allowed.has(jsonType(v)));
}

const HUGE = "x".repeat(300_000);

/**
 * An accepted body with one thing wrong: a property of the wrong type, a required one missing,
 * an unknown one added, or a string made huge.
 */
export function nearlyValid(s: JsonSchema, hints: Hints = {}): fc.Arbitrary<Json> {
  const props = Object.entries(s.properties ?? {});
  if (props.length === 0) return accepted(s, hints);
  return fc
    .tuple(
      accepted(s, hints),
      fc.nat(props.length - 1),
      fc.constantFrom("wrong", "drop", "extra", "huge"),
    )
    .map(([body, index, how]) => {
      const [key, schema] = props[index] ?? ["name", {}];
      const copy: Record<string, Json> = { ...(body as Record<string, Json>) };
      if (how === "drop") delete copy[key];
      else if (how === "extra") copy.unexpectedField = "surplus";
      else if (how === "huge") copy[key] = HUGE;
      else {
        const wrong = wrongValues(schema);
        copy[key] = wrong.length > 0 ? (wrong[(index + key.length) % wrong.length] ?? null) : HUGE;
      }
      return copy;
    });
}
