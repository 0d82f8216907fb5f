// The gateway's own guard against a provider that goes quiet in the middle of a body.

/**
 * A timer that fires once the body has been silent for `timeoutMs`: one timer per idle
 * period rather than one per chunk.
 */
export function idleWatchdog(timeoutMs: number, onIdle: () => void) {
  let lastChunkAt = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (delay: number) => {
    timer = setTimeout(() => {
      const quiet = Date.now() - lastChunkAt;
      if (quiet < timeoutMs) return arm(timeoutMs - quiet);
      onIdle();
    }, delay);
  };
  arm(timeoutMs);
  return {
    /** A chunk arrived now; returns the time. */
    touch(): number {
      lastChunkAt = Date.now();
      return lastChunkAt;
    },
    stop: () => clearTimeout(timer),
  };
}
