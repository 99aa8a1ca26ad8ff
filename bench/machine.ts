import { execFileSync } from 'node:child_process';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { PROJECT_ROOT } from '../src/local/project-tmpdir.ts';
import type { IdlePenalty } from './idle-penalty.ts';

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  totalMemoryBytes: number;
  platform: string;
  kernel: string;
  node: string;
  /** 1-minute load average at the start: a busy machine makes every number worse. */
  loadAverageAtStart: number;
  podpdfCommit: string;
  /** Uncommitted changes in the tree the run measured (git status --porcelain, count of lines). */
  podpdfUncommittedFiles: number;
  /** How much slower memory is to touch after the sequential scenarios' quiet than warm. */
  idleMemoryPenalty?: IdlePenalty;
}

const git = (...args: string[]): string => {
  try {
    return execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

export const machineInfo = (): MachineInfo => {
  const cpuList = cpus();
  const status = git('status', '--porcelain');
  return {
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cpuCount: cpuList.length,
    totalMemoryBytes: totalmem(),
    platform: platform(),
    kernel: release(),
    node: process.version,
    loadAverageAtStart: loadavg()[0] ?? 0,
    podpdfCommit: git('rev-parse', 'HEAD') || 'unknown',
    podpdfUncommittedFiles: status ? status.split('\n').length : 0,
  };
};
