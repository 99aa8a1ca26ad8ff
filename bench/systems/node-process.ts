import { type ChildProcess, spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';
import { onCleanup } from '../cleanup.ts';
import { chromiumProfileDirs, descendants, isAlive, killPids, removeDirs } from '../proc.ts';

/** A script of this project run by this Node in a process of its own, ready once it printed its banner. */
export interface NodeProcess {
  pid: number;
  /** ms from spawn to the end of the banner. */
  readyMs: number;
  /** performance.now() at spawn, for timings that continue after `ready`. */
  spawnedAt: number;
  /** Everything it printed so far (the first 100 kB). */
  output(): string;
  /** "running", or how it exited, with the end of its output: for errors when a request fails. */
  describe(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

const waitForExit = (child: ChildProcess, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(true);
      return;
    }
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

/**
 * Stops the process the way Ctrl-C would (its handler closes what it started), then kills whatever
 * survived. Chromium runs in its own process group and outlives a killed parent, so its pids are
 * collected while the parent is still alive.
 */
const stopProcess = async (child: ChildProcess): Promise<void> => {
  const pid = child.pid;
  if (pid === undefined) return;
  const tree = descendants(pid);
  const profiles = chromiumProfileDirs(tree);
  if (isAlive(pid)) child.kill('SIGTERM');
  if (!(await waitForExit(child, STOP_GRACE_MS))) {
    child.kill('SIGKILL');
    await waitForExit(child, STOP_GRACE_MS);
  }
  killPids(tree);
  // A Chromium that was killed leaves its profile behind (after a clean close this removes nothing).
  removeDirs(profiles);
};

export const startNodeProcess = async (options: {
  name: string;
  script: string;
  env: Record<string, string>;
  bannerEnd: string;
  /** The checkout the script is in. @default this one */
  cwd?: string;
}): Promise<NodeProcess> => {
  const { name, bannerEnd } = options;
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', options.script], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const unregister = onCleanup(() => stopProcess(child));
  const stop = async () => {
    unregister();
    await stopProcess(child);
  };
  let output = '';
  // Keep reading both pipes for the whole run: a full pipe would block the process's logging.
  child.stdout?.on('data', (chunk: Buffer) => {
    if (output.length < 100_000) output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (output.length < 100_000) output += chunk.toString();
  });
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not start within ${START_TIMEOUT_MS} ms:\n${output}`)),
        START_TIMEOUT_MS,
      );
      const onData = () => {
        if (!output.includes(bannerEnd)) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(performance.now() - spawnedAt);
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited during start (code ${code}, signal ${signal}):\n${output}`));
      });
      child.once('error', reject);
    });
    child.removeAllListeners('exit');
    let exit: string | undefined;
    child.once('exit', (code, signal) => {
      exit = `exited (code ${code}, signal ${signal})`;
    });
    return {
      pid: child.pid as number,
      readyMs,
      spawnedAt,
      output: () => output,
      describe: () =>
        `${name} pid ${child.pid} ${exit ?? 'running'}; its output ends:\n${output.slice(-2_000)}`,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
};
