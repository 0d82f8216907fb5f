// A uPlot chart drawn into a holder element and kept as wide as it, redrawn when `deps` change.
// Shared by the dashboard's charts (Costs, Observability) so each only says what to draw.
import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";
import type uPlot from "uplot";

/** Narrowest a chart is drawn, however small its holder. */
const MIN_WIDTH = 240;

export function useUplot(
  holder: RefObject<HTMLDivElement>,
  draw: (width: number, el: HTMLDivElement) => uPlot,
  heightFor: (width: number) => number,
  onDestroy: () => void,
  deps: readonly unknown[],
): void {
  // The caller names what redraws the chart (`deps`).
  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const width = () => Math.max(MIN_WIDTH, Math.floor(el.clientWidth));
    const chart = draw(width(), el);
    let last = width();
    const observer = new ResizeObserver(() => {
      const next = width();
      if (next === last) return;
      last = next;
      chart.setSize({ width: next, height: heightFor(next) });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      onDestroy();
    };
  }, deps);
}
