// The seeded mix of requests `npm run check:usage` sends: every way a request can end, with
// the client walking away in a good share of them.

export const KINDS = [
  "stream completed",
  "stream, client gone mid-way",
  "stream, client gone in silence",
  "client gone before headers",
  "JSON, client gone waiting",
  "stream cut upstream",
  "stream without message_stop",
  "stream with error event",
  "JSON completed",
  "JSON cut upstream",
  "upstream 500",
  "upstream 529",
] as const;
export type Kind = (typeof KINDS)[number];

export type Abort =
  /** Leave `delayMs` after the `events`-th SSE event arrived (so the gateway has read it). */
  | { kind: "after-events"; events: number; delayMs: number }
  /** Leave `ms` after sending, whatever has arrived. */
  | { kind: "after-ms"; ms: number };

export interface Planned {
  index: number;
  kind: Kind;
  marker: string;
  stream: boolean;
  abort?: Abort;
}

/** Share of each kind, in percent (aborts: 12 + 5 + 4 + 3 = 24 %). */
const WEIGHTS: Readonly<Record<Kind, number>> = {
  "stream completed": 30,
  "stream, client gone mid-way": 12,
  "stream, client gone in silence": 5,
  "client gone before headers": 4,
  "JSON, client gone waiting": 3,
  "stream cut upstream": 8,
  "stream without message_stop": 5,
  "stream with error event": 5,
  "JSON completed": 18,
  "JSON cut upstream": 4,
  "upstream 500": 3,
  "upstream 529": 3,
};

/** A small seeded generator (mulberry32), so a run can be repeated exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(r: number): Kind {
  let at = r * 100;
  for (const kind of KINDS) {
    at -= WEIGHTS[kind];
    if (at < 0) return kind;
  }
  return "stream completed";
}

// A drip stream of 40 deltas has its message_delta at event 44: leaving by event 30 is always
// before the final usage, so what the provider reported is exactly what the gateway read.
const DRIP = "[fake:drip:40:15]";

export function plan(total: number, seed: number): Planned[] {
  const next = random(seed);
  return Array.from({ length: total }, (_, index) => planOne(index, pick(next()), next));
}

function planOne(index: number, kind: Kind, next: () => number): Planned {
  const between = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  switch (kind) {
    case "stream completed":
      return {
        index,
        kind,
        marker: next() < 0.5 ? "[fake:drip:6:5]" : "[fake:cache]",
        stream: true,
      };
    case "stream, client gone mid-way":
      return {
        index,
        kind,
        marker: DRIP,
        stream: true,
        abort: { kind: "after-events", events: between(1, 30), delayMs: between(0, 20) },
      };
    case "stream, client gone in silence":
      return {
        index,
        kind,
        marker: "[fake:hang-stream]",
        stream: true,
        abort: { kind: "after-events", events: 1, delayMs: between(20, 300) },
      };
    case "client gone before headers":
      return {
        index,
        kind,
        marker: "[fake:hang]",
        stream: true,
        abort: { kind: "after-ms", ms: between(30, 300) },
      };
    case "JSON, client gone waiting":
      return {
        index,
        kind,
        marker: "[fake:slow:2000]",
        stream: false,
        abort: { kind: "after-ms", ms: between(30, 300) },
      };
    case "stream cut upstream":
      return { index, kind, marker: "[fake:cut]", stream: true };
    case "stream without message_stop":
      return { index, kind, marker: "[fake:no-stop]", stream: true };
    case "stream with error event":
      return { index, kind, marker: "[fake:error-midstream]", stream: true };
    case "JSON completed":
      return { index, kind, marker: "[fake:cache]", stream: false };
    case "JSON cut upstream":
      return { index, kind, marker: "[fake:cut-body]", stream: false };
    case "upstream 500":
      return { index, kind, marker: "[fake:status:500]", stream: next() < 0.5 };
    case "upstream 529":
      return { index, kind, marker: "[fake:status:529]", stream: next() < 0.5 };
  }
}
