// Types of the parts of processes.mjs that TypeScript scripts (scripts/soak.ts) use.
export interface ProcInfo {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  cpuTicks: number;
}
export function processTree(rootPid: number, all?: ProcInfo[]): ProcInfo[];
export function rssKb(pid: number): number;
