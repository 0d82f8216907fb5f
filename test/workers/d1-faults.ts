// D1 as the telemetry consumer sees it, with counting and faults injected around the real
// database: how many statements each batch costs, a D1 that is down, and one that commits a
// batch and then loses the answer (the consumer cannot tell it worked).
export interface CountedD1 {
  db: D1Database;
  /** Statements run, in batches or alone. */
  statements: () => number;
  batches: () => number;
}

type BatchFault = (statements: D1PreparedStatement[], real: D1Database) => Promise<D1Result[]>;

function wrapped(real: D1Database, onBatch: BatchFault): D1Database {
  return new Proxy(real, {
    get(target, name) {
      if (name === "batch") return (s: D1PreparedStatement[]) => onBatch(s, target);
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The real D1, counting the statements of every batch. */
export function countingD1(real: D1Database): CountedD1 {
  let statements = 0;
  let batches = 0;
  const db = wrapped(real, (s, target) => {
    statements += s.length;
    batches++;
    return target.batch(s);
  });
  return { db, statements: () => statements, batches: () => batches };
}

/** A D1 that refuses every batch: D1 down. */
export function downD1(real: D1Database): D1Database {
  return wrapped(real, () => Promise.reject(new Error("D1_ERROR: Network connection lost.")));
}

/**
 * A D1 whose first batch commits but whose answer is lost, and which then refuses everything:
 * what a consumer sees when it dies (or its connection does) right after D1 committed.
 */
export function committedThenGoneD1(real: D1Database): D1Database {
  let first = true;
  return wrapped(real, async (s, target) => {
    if (!first) throw new Error("D1_ERROR: Network connection lost.");
    first = false;
    await target.batch(s);
    throw new Error("D1_ERROR: Network connection lost.");
  });
}
