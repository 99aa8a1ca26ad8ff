import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';
import { onCleanup } from '../cleanup.ts';
import { chromiumProfileDirs, descendants, isAlive, killPids, removeDirs } from '../proc.ts';

/**
 * podpdf as a user runs it: `npm start`'s command (node src/local/main.ts) in its own process, so its
 * memory and its Chromium can be measured apart from the benchmark's. npm itself is left out: its own
 * start-up is not podpdf's.
 */
export interface PodpdfServer {
  url: string;
  apiKey: string;
  pid: number;
  /** ms from spawn to the "Ctrl-C stops everything." banner (listening; Chromium may still be launching). */
  readyMs: number;
  /** performance.now() at spawn, for cold-start timings that continue after `ready`. */
  spawnedAt: number;
  /** Everything it printed so far (the first 100 kB). */
  output(): string;
  /** "running", or how it exited, with the end of its output: for errors when a request fails. */
  describe(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const BANNER_END = 'Ctrl-C stops everything.';

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

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
 * Stops the server the way Ctrl-C would (its handler closes Chromium and the emulators), then kills
 * whatever survived. Chromium runs in its own process group and outlives a killed parent, so its pids
 * are collected while the server is still alive.
 */
const stopServer = async (child: ChildProcess): Promise<void> => {
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

export const startPodpdfServer = async (
  options: { env?: Record<string, string> } = {},
): Promise<PodpdfServer> => {
  const port = await freePort();
  const apiKey = `podpdf_bench_${randomBytes(24).toString('base64url')}`;
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'src/local/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...options.env, PODPDF_PORT: String(port), PODPDF_DEV_API_KEYS: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const unregister = onCleanup(() => stopServer(child));
  const stop = async () => {
    unregister();
    await stopServer(child);
  };
  let output = '';
  // Keep reading both pipes for the whole run: a full pipe would block the server's logging.
  child.stdout?.on('data', (chunk: Buffer) => {
    if (output.length < 100_000) output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (output.length < 100_000) output += chunk.toString();
  });
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`podpdf did not start within ${START_TIMEOUT_MS} ms:\n${output}`)),
        START_TIMEOUT_MS,
      );
      const onData = () => {
        if (!output.includes(BANNER_END)) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(performance.now() - spawnedAt);
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`podpdf exited during start (code ${code}, signal ${signal}):\n${output}`));
      });
      child.once('error', reject);
    });
    child.removeAllListeners('exit');
    let exit: string | undefined;
    child.once('exit', (code, signal) => {
      exit = `exited (code ${code}, signal ${signal})`;
    });
    return {
      url: `http://127.0.0.1:${port}`,
      apiKey,
      pid: child.pid as number,
      readyMs,
      spawnedAt,
      output: () => output,
      describe: () =>
        `podpdf server pid ${child.pid} ${exit ?? 'running'}; its output ends:\n${output.slice(-2_000)}`,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
};
