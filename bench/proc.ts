import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { descendants, readProcText as readText } from '../src/util/process-tree.ts';

export { descendants };

/**
 * Process facts from /proc (Linux only). Chromium is a tree of processes (browser, zygote, GPU,
 * renderers), so its memory is summed over every descendant of the process that launched it.
 */

const statusKb = (pid: number, field: string): number => {
  const status = readText(`/proc/${pid}/status`);
  const match = status?.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return match ? Number(match[1]) : 0;
};

/** Resident set size in bytes; 0 when the process is gone. */
export const rssBytes = (pid: number): number => statusKb(pid, 'VmRSS') * 1024;

/**
 * Proportional set size in bytes: shared pages divided among the processes sharing them, so a sum over
 * Chromium's processes does not count its shared libraries once per process as an RSS sum does.
 */
export const pssBytes = (pid: number): number => {
  const rollup = readText(`/proc/${pid}/smaps_rollup`);
  const match = rollup?.match(/^Pss:\s+(\d+) kB/m);
  return match ? Number(match[1]) * 1024 : 0;
};

export interface TreeMemory {
  /** The process itself. */
  rssBytes: number;
  /** All its descendants (for the podpdf server: Chromium). */
  childrenRssBytes: number;
  childrenPssBytes: number;
  childrenCount: number;
}

export const treeMemory = (pid: number): TreeMemory => {
  const children = descendants(pid);
  return {
    rssBytes: rssBytes(pid),
    childrenRssBytes: children.reduce((sum, child) => sum + rssBytes(child), 0),
    childrenPssBytes: children.reduce((sum, child) => sum + pssBytes(child), 0),
    childrenCount: children.length,
  };
};

/** The argv of a process, or undefined once it has exited. */
export const commandLine = (pid: number): string[] | undefined =>
  readText(`/proc/${pid}/cmdline`)?.split('\0').filter(Boolean);

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGKILLs the given pids that are still alive (leftovers after a polite shutdown). */
export const killPids = (pids: readonly number[]): number => {
  let killed = 0;
  for (const pid of pids) {
    if (!isAlive(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed += 1;
    } catch {
      // gone in the meantime
    }
  }
  return killed;
};

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every mainstream Linux build

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces); empty once it is gone. */
const statFields = (pid: number): string[] => {
  const stat = readText(`/proc/${pid}/stat`);
  return stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ') : [];
};

/** CPU time (ticks) of a process plus its reaped children: utime, stime, cutime, cstime. */
const processTicks = (pid: number): number => {
  const fields = statFields(pid);
  return [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
};

/** Busy ticks of the whole machine, all cores: everything in /proc/stat's cpu line but idle and iowait. */
const machineBusyTicks = (): number => {
  const line = readText('/proc/stat')?.split('\n')[0] ?? '';
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0);
};

/** CPU ms a process has used itself (utime + stime, not its children). */
export const processCpuMs = (pid: number): number => {
  const fields = statFields(pid);
  return ((Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 1000) / CLOCK_TICKS_PER_SECOND;
};

/** CPU ms of a process, its live descendants and every child already reaped. */
export const treeCpuMs = (pid: number): number =>
  ([pid, ...descendants(pid)].reduce((sum, each) => sum + processTicks(each), 0) * 1000) /
  CLOCK_TICKS_PER_SECOND;

export interface CpuSnapshot {
  at: number;
  machineTicks: number;
  ownTicks: number;
}

/**
 * What the machine and this benchmark (this process, every live descendant, and every child already
 * reaped, whose time the kernel adds to its parent) had used so far. Two snapshots tell how much CPU
 * other processes took in between: noise the numbers of that interval carry.
 */
export const cpuSnapshot = (): CpuSnapshot => ({
  at: performance.now(),
  machineTicks: machineBusyTicks(),
  ownTicks: [process.pid, ...descendants(process.pid)].reduce((sum, pid) => sum + processTicks(pid), 0),
});

/** Share of the machine's total CPU capacity (all cores) used by other processes between two snapshots. */
export const foreignCpuShare = (before: CpuSnapshot, after: CpuSnapshot, cores: number): number => {
  const capacityTicks = ((after.at - before.at) / 1000) * CLOCK_TICKS_PER_SECOND * cores;
  const foreign = after.machineTicks - before.machineTicks - (after.ownTicks - before.ownTicks);
  return capacityTicks > 0 ? Math.max(0, foreign / capacityTicks) : 0;
};

/**
 * The throwaway profile directories (--user-data-dir) of the Chromium processes among `pids`. puppeteer
 * deletes them when a browser closes; a browser that is killed leaves them in TMPDIR.
 */
export const chromiumProfileDirs = (pids: readonly number[]): string[] => [
  ...new Set(
    pids.flatMap((pid) =>
      (commandLine(pid) ?? [])
        .filter((arg) => arg.startsWith('--user-data-dir='))
        .map((arg) => arg.slice('--user-data-dir='.length))
        .filter((dir) => basename(dir).startsWith('puppeteer_dev_chrome_profile-')),
    ),
  ),
];

export const removeDirs = (dirs: readonly string[]): void => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
};
