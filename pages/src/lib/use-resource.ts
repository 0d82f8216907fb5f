// Loads data for a page and keeps its three states apart: loading, failed, ready.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { errorMessage } from "./api";

export type Resource<T> =
  | { state: "loading"; reload: () => void }
  | { state: "error"; message: string; reload: () => void }
  | { state: "ready"; data: T; reload: () => void; refreshing: boolean };

export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[] = []): Resource<T> {
  const [value, setValue] = useState<
    { state: "loading" } | { state: "error"; message: string } | { state: "ready"; data: T }
  >({ state: "loading" });
  const [refreshing, setRefreshing] = useState(false);
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setRefreshing(true);
    load().then(
      (data) => {
        if (mine !== generation.current) return;
        setValue({ state: "ready", data });
        setRefreshing(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setValue({ state: "error", message: errorMessage(err) });
        setRefreshing(false);
      },
    );
  }, deps);
  useEffect(() => {
    setValue({ state: "loading" });
    run();
  }, [run]);
  if (value.state === "ready") return { ...value, reload: run, refreshing };
  return { ...value, reload: run };
}
