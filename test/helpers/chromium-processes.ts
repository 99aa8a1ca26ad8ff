import { readFileSync } from 'node:fs';
import { descendants } from '../../src/util/process-tree.ts';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Resident set size in bytes (VmRSS). */
  rssBytes: number;
  /** Chromium's `--type=` (renderer, gpu-process, utility, zygote), or "browser" for the root. */
  type: string;
  /** argv[0] as the process started (Chromium may rewrite its title later; this stays the binary). */
  command: string;
}

const readProcess = (pid: number): ProcessInfo | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    // Kernel threads and zombies have no VmRSS line.
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const type = cmdline.find((arg) => arg.startsWith('--type='))?.slice('--type='.length) ?? 'browser';
    return { pid, ppid, rssBytes: rssKb * 1024, type, command: cmdline[0] ?? '' };
  } catch {
    return undefined; // gone between the listing and the read
  }
};

/**
 * `rootPid` and every process descending from it, read from /proc (parents from each process's
 * status, so no kernel option such as /proc/<pid>/task/<tid>/children is needed). Empty when `rootPid`
 * is gone. Linux only.
 */
export const processTree = (rootPid: number): ProcessInfo[] => {
  const root = readProcess(rootPid);
  if (!root) return [];
  return [root, ...descendants(rootPid).flatMap((pid) => readProcess(pid) ?? [])];
};

/** Total resident memory of `rootPid` and its descendants, bytes (shared pages count once per process). */
export const treeRssBytes = (rootPid: number): number =>
  processTree(rootPid).reduce((sum, p) => sum + p.rssBytes, 0);

/**
 * Kills, by pid, every Chromium process descending from this test process: the last resort when a
 * browser will not close (a renderer stuck in a loop). Returns how many were killed.
 */
export const killOwnChromium = (): number => {
  let killed = 0;
  for (const p of processTree(process.pid)) {
    if (p.pid === process.pid || !/chrom/i.test(p.command)) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
      killed += 1;
    } catch {
      // already gone
    }
  }
  return killed;
};

export const MB = 1024 * 1024;
