// Types of the parts of workerd-host.mjs that TypeScript scripts (scripts/soak.ts) use.
import type { Miniflare } from "miniflare";

export function bundleWorker(root: string, config?: string): string;
export function startGatehouseWorkerd(
  root: string,
  dir: string,
  port: number,
  onStarted?: (mf: Miniflare) => void,
  extra?: { inspectorPort?: number },
): Promise<{ mf: Miniflare; pids: number[] }>;
