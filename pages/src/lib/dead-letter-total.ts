// How many telemetry dead letters are waiting, for the sidebar's badge: read once when the
// signed-in frame opens, then kept current by the Telemetry page, which announces every total
// it reads (after a retry or a discard too).
import { useEffect, useState } from "preact/hooks";
import type { DeadLetterPage } from "../../../shared/api-types";
import { api } from "./api";

const TOTAL_EVENT = "gatehouse:dead-letter-total";

export function announceDeadLetterTotal(total: number) {
  window.dispatchEvent(new CustomEvent(TOTAL_EVENT, { detail: total }));
}

/** The number waiting; null until known, and always for someone who may not read them. */
export function useDeadLetterTotal(allowed: boolean): number | null {
  const [total, setTotal] = useState<number | null>(null);
  useEffect(() => {
    if (!allowed) return;
    // An announced total is newer than this first read, whichever arrives last.
    let announced = false;
    const onTotal = (e: Event) => {
      if (!(e instanceof CustomEvent) || typeof e.detail !== "number") return;
      announced = true;
      setTotal(e.detail);
    };
    window.addEventListener(TOTAL_EVENT, onTotal);
    api.get<DeadLetterPage>("/telemetry/dead-letters", { limit: 1 }).then(
      (page) => {
        if (!announced) setTotal(page.total);
      },
      // A badge that cannot be read costs nothing but the badge.
      () => undefined,
    );
    return () => window.removeEventListener(TOTAL_EVENT, onTotal);
  }, [allowed]);
  return allowed ? total : null;
}
