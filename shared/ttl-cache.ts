// A tiny per-isolate cache with a time-to-live and a size bound. The proxy keeps key records
// and decrypted provider keys here for a few seconds so the hot path needs no D1 query.

/** Keeps background work alive past the response (an ExecutionContext's waitUntil). */
export type WaitUntil = (work: Promise<unknown>) => void;

interface Entry<V> {
  value: V;
  expires: number;
  /** A background reload of this entry is running. */
  refreshing: boolean;
}

export class TtlCache<V> {
  readonly #entries = new Map<string, Entry<V>>();

  /**
   * @param ttlMs How long an entry is fresh.
   * @param maxEntries Past this, the oldest entry makes room.
   * @param staleMs How long past its expiry `getOrRefresh` may still answer with an entry
   *   while it reloads it in the background (0: never).
   */
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly staleMs = 0,
  ) {}

  get(key: string, now = Date.now()): V | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= now) {
      if (hit.expires + this.staleMs <= now) this.#entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V, now = Date.now()): void {
    if (this.#entries.size >= this.maxEntries && !this.#entries.has(key)) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expires: now + this.ttlMs, refreshing: false });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /**
   * Returns the cached value, or loads, caches and returns it. Concurrent misses each load:
   * in Workers a request must not await I/O that another request started.
   */
  async getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = await load();
    this.set(key, value);
    return value;
  }

  /**
   * Like getOrLoad, but an entry less than `staleMs` past its expiry is returned at once and
   * reloaded in the background (one reload per entry at a time; a failed reload leaves the
   * entry to expire), so a request never waits for a reload of something it already had.
   * Without `waitUntil` a stale entry is reloaded before returning. `load` gets the entry's
   * value, if there is one, and may return it as it is when it knows it is still right.
   */
  async getOrRefresh(
    key: string,
    load: (previous: V | undefined) => Promise<V>,
    waitUntil?: WaitUntil,
  ): Promise<V> {
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (hit && waitUntil && hit.expires + this.staleMs > now) {
      if (!hit.refreshing) {
        hit.refreshing = true;
        waitUntil(
          load(hit.value).then(
            (value) => {
              // An admin write may have dropped the entry meanwhile: then it stays dropped.
              if (this.#entries.get(key) === hit) this.set(key, value);
            },
            () => {
              hit.refreshing = false;
            },
          ),
        );
      }
      return hit.value;
    }
    const value = await load(hit?.value);
    this.set(key, value);
    return value;
  }
}
