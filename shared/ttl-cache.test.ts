import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TtlCache } from "./ttl-cache";

describe("TtlCache.getOrRefresh", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A cache fresh for 5 s and usable for 60 s more, with its first value loaded. */
  async function cacheHolding(value: string) {
    const cache = new TtlCache<string>(5_000, 100, 60_000);
    await cache.getOrRefresh(
      "k",
      async () => value,
      () => {},
    );
    return cache;
  }

  it("answers a fresh entry without loading", async () => {
    const cache = await cacheHolding("v1");
    const load = vi.fn(async () => "v2");
    vi.advanceTimersByTime(4_999);
    expect(await cache.getOrRefresh("k", load, () => {})).toBe("v1");
    expect(load).not.toHaveBeenCalled();
  });

  it("answers a stale entry at once and reloads it once in the background", async () => {
    const cache = await cacheHolding("v1");
    vi.advanceTimersByTime(30_000);
    const background: Promise<unknown>[] = [];
    let finish: (v: string) => void = () => {};
    const load = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const waitUntil = (work: Promise<unknown>) => background.push(work);
    expect(await cache.getOrRefresh("k", load, waitUntil)).toBe("v1");
    expect(await cache.getOrRefresh("k", load, waitUntil)).toBe("v1");
    expect(load).toHaveBeenCalledTimes(1);
    expect(background).toHaveLength(1);
    finish("v2");
    await Promise.all(background);
    expect(await cache.getOrRefresh("k", load, waitUntil)).toBe("v2");
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("loads before answering once an entry is past its stale window", async () => {
    const cache = await cacheHolding("v1");
    vi.advanceTimersByTime(65_000);
    const waitUntil = vi.fn();
    expect(await cache.getOrRefresh("k", async () => "v2", waitUntil)).toBe("v2");
    expect(waitUntil).not.toHaveBeenCalled();
  });

  it("loads before answering when it has no waitUntil to keep a reload alive", async () => {
    const cache = await cacheHolding("v1");
    vi.advanceTimersByTime(10_000);
    expect(await cache.getOrRefresh("k", async () => "v2")).toBe("v2");
  });

  it("keeps the stale entry when a reload fails, and tries again on the next request", async () => {
    const cache = await cacheHolding("v1");
    vi.advanceTimersByTime(10_000);
    const background: Promise<unknown>[] = [];
    const waitUntil = (work: Promise<unknown>) => background.push(work);
    const failing = vi.fn(async (): Promise<string> => {
      throw new Error("D1 down");
    });
    expect(await cache.getOrRefresh("k", failing, waitUntil)).toBe("v1");
    await Promise.all(background);
    expect(await cache.getOrRefresh("k", async () => "v2", waitUntil)).toBe("v1");
    await Promise.all(background);
    expect(await cache.getOrRefresh("k", failing, waitUntil)).toBe("v2");
  });

  it("does not bring back an entry an admin write dropped during the reload", async () => {
    const cache = await cacheHolding("v1");
    vi.advanceTimersByTime(10_000);
    let finish: (v: string) => void = () => {};
    const slow = () => new Promise<string>((resolve) => (finish = resolve));
    const background: Promise<unknown>[] = [];
    expect(await cache.getOrRefresh("k", slow, (w) => background.push(w))).toBe("v1");
    cache.delete("k");
    finish("read before the write");
    await Promise.all(background);
    expect(
      await cache.getOrRefresh(
        "k",
        async () => "after the write",
        () => {},
      ),
    ).toBe("after the write");
  });
});
