// Counters around the real bindings, for the scale model (scale-model.test.ts): every D1
// statement the Worker runs, every Durable Object call it makes and every message it sends to
// the telemetry queue. They only count and pass on; the one thing they change is the queue,
// whose messages are kept for the test to deliver in batches, as the queue would.

/** What D1 did for one side of the system (the request path, or the queue's consumer). */
export interface D1Tally {
  statements: number;
  /** db.batch() calls (each one transaction). */
  batches: number;
  /** Summed from D1's own result meta, where D1 returns it (all, run, batch, exec). */
  rowsRead: number;
  rowsWritten: number;
  /** Every statement run, by its SQL text. */
  bySql: Map<string, number>;
  /** Every statement run, by its SQL text and parameters (JSON of both). */
  byCall: Map<string, number>;
  /** D1's meta, by SQL text, for the statements that return it. */
  metaBySql: Map<string, { rowsRead: number; rowsWritten: number; sqlMs: number }>;
  /** Statements run through first() or raw(), which return no meta: by SQL and parameters. */
  withoutMeta: Map<string, { sql: string; params: unknown[]; count: number }>;
  /** The database's size after the last statement that reported it, in bytes. */
  sizeAfter: number | undefined;
}

export function d1Tally(): D1Tally {
  return {
    statements: 0,
    batches: 0,
    rowsRead: 0,
    rowsWritten: 0,
    bySql: new Map(),
    byCall: new Map(),
    metaBySql: new Map(),
    withoutMeta: new Map(),
    sizeAfter: undefined,
  };
}

/** The real D1, counting into `tally`. */
export function countingD1(real: D1Database, tally: D1Tally): D1Database {
  const realOf = new WeakMap<
    D1PreparedStatement,
    { real: D1PreparedStatement; sql: string; params: unknown[] }
  >();
  const ran = (sql: string, params: unknown[]) => {
    tally.statements++;
    tally.bySql.set(sql, (tally.bySql.get(sql) ?? 0) + 1);
    const call = JSON.stringify([sql, params]);
    tally.byCall.set(call, (tally.byCall.get(call) ?? 0) + 1);
  };
  const metered = (sql: string, meta: D1Meta | undefined) => {
    if (!meta) return;
    tally.rowsRead += meta.rows_read;
    tally.rowsWritten += meta.rows_written;
    if (meta.size_after !== undefined) tally.sizeAfter = meta.size_after;
    const seen = tally.metaBySql.get(sql) ?? { rowsRead: 0, rowsWritten: 0, sqlMs: 0 };
    seen.rowsRead += meta.rows_read;
    seen.rowsWritten += meta.rows_written;
    seen.sqlMs += meta.timings?.sql_duration_ms ?? meta.duration;
    tally.metaBySql.set(sql, seen);
  };
  const unmetered = (sql: string, params: unknown[]) => {
    ran(sql, params);
    const key = JSON.stringify([sql, params]);
    const seen = tally.withoutMeta.get(key);
    if (seen) seen.count++;
    else tally.withoutMeta.set(key, { sql, params, count: 1 });
  };

  const statement = (
    stmt: D1PreparedStatement,
    sql: string,
    params: unknown[],
  ): D1PreparedStatement => {
    const wrapped = new Proxy(stmt, {
      get(target, name) {
        switch (name) {
          case "bind":
            return (...values: unknown[]) => statement(target.bind(...values), sql, values);
          case "all":
          case "run":
            return async () => {
              const result = name === "all" ? await target.all() : await target.run();
              ran(sql, params);
              metered(sql, result.meta);
              return result;
            };
          case "first":
            return (column?: string) => {
              unmetered(sql, params);
              return column === undefined ? target.first() : target.first(column);
            };
          case "raw":
            return (options?: { columnNames?: boolean }) => {
              unmetered(sql, params);
              return options?.columnNames === true
                ? target.raw({ columnNames: true })
                : target.raw();
            };
        }
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    realOf.set(wrapped, { real: stmt, sql, params });
    return wrapped;
  };

  return new Proxy(real, {
    get(target, name) {
      switch (name) {
        case "prepare":
          return (sql: string) => statement(target.prepare(sql), sql, []);
        case "batch":
          return async (statements: D1PreparedStatement[]) => {
            const results = await target.batch(statements.map((s) => realOf.get(s)?.real ?? s));
            tally.batches++;
            for (const [i, s] of statements.entries()) {
              const known = realOf.get(s);
              const sql = known?.sql ?? "(prepared elsewhere)";
              ran(sql, known?.params ?? []);
              metered(sql, results[i]?.meta);
            }
            return results;
          };
        case "exec":
          return async (sql: string) => {
            const result = await target.exec(sql);
            for (let i = 0; i < result.count; i++) ran(sql, []);
            return result;
          };
        case "withSession":
          // Sessions would hand out statements these counters never see.
          throw new Error("countingD1: withSession is not counted; count it before using it");
      }
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * A Durable Object namespace whose stubs report each method called on them (RPC methods and
 * fetch alike) to `onCall`, by method name, before passing the call on.
 */
export function countingNamespace<T extends Rpc.DurableObjectBranded | undefined>(
  real: DurableObjectNamespace<T>,
  onCall: (method: string) => void,
): DurableObjectNamespace<T> {
  const stub = <S extends object>(s: S): S =>
    new Proxy(s, {
      get(target, name) {
        const value: unknown = Reflect.get(target, name);
        if (typeof name !== "string" || name === "then" || typeof value !== "function") {
          return value;
        }
        return (...args: unknown[]) => {
          onCall(name);
          return Reflect.apply(value, target, args);
        };
      },
    });
  return new Proxy(real, {
    get(target, name) {
      if (name === "get") {
        return (id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions) =>
          stub(target.get(id, options));
      }
      if (name === "getByName") {
        return (objectName: string, options?: DurableObjectNamespaceGetDurableObjectOptions) =>
          stub(target.getByName(objectName, options));
      }
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A message the Worker sent, as the queue would hold it (JSON), with its send time. */
export interface SentMessage {
  body: unknown;
  /** Bytes of its JSON; the queue bills one write, read and delete per 64 KB. */
  bytes: number;
  at: number;
}

/**
 * A queue that keeps what is sent to it instead of enqueueing, so the test decides how it is
 * batched. Bodies go through JSON as with `contentType: "json"`, which is how they are sent.
 */
export function capturingQueue(sent: SentMessage[]): Queue {
  const keep = (body: unknown) => {
    const json = JSON.stringify(body);
    sent.push({
      body: JSON.parse(json),
      bytes: new TextEncoder().encode(json).length,
      at: Date.now(),
    });
  };
  const metadata = { metrics: { backlogCount: 0, backlogBytes: 0 } };
  return {
    async send(body: unknown) {
      keep(body);
      return { metadata };
    },
    async sendBatch(messages: Iterable<MessageSendRequest<unknown>>) {
      for (const m of messages) keep(m.body);
      return { metadata };
    },
    async metrics() {
      return metadata.metrics;
    },
  };
}
