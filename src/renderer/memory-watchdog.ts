import { descendants, readProcText as readText } from '../util/process-tree.ts';

/**
 * Kills any Chromium renderer whose resident memory passes the cap while renders are in flight. Each
 * job has a renderer of its own (a browser context per job), so the kill fails only the document
 * that grew: an image that decodes to gigabytes, a layout of millions of boxes. Linux only (/proc);
 * elsewhere nothing is watched.
 */
export interface MemoryWatchdog {
  /** Called when a render starts; the returned function when it ends. Polls only while one runs. */
  track(): () => void;
  /** Renderers killed for memory at or after `since` (epoch ms). */
  killsSince(since: number): number;
}

/** How often resident memory is read while a render runs. */
const POLL_MS = 100;

/** Resident bytes of `pid`, from /proc/PID/statm (pages). */
const residentBytes = (pid: number, pageBytes: number): number => {
  const fields = readText(`/proc/${pid}/statm`)?.split(' ');
  return Number(fields?.[1] ?? 0) * pageBytes;
};

/** Chromium rewrites its processes' titles, so the arguments may be one space-separated string. */
const isRenderer = (pid: number): boolean =>
  /(?:^|[\s\0])--type=renderer(?:[\s\0]|$)/.test(readText(`/proc/${pid}/cmdline`) ?? '');

/**
 * A watchdog over the process tree under `browserPid()` (read at each poll: the browser may be
 * relaunched). `capBytes` is the most one renderer may hold.
 */
export const createMemoryWatchdog = (
  browserPid: () => number | undefined,
  capBytes: number,
): MemoryWatchdog => {
  const supported = process.platform === 'linux';
  const pageBytes = 4096;
  const kills: number[] = [];
  let active = 0;
  let timer: NodeJS.Timeout | undefined;

  const poll = () => {
    const root = browserPid();
    if (root === undefined) return;
    for (const pid of descendants(root)) {
      if (residentBytes(pid, pageBytes) <= capBytes || !isRenderer(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
        kills.push(Date.now());
      } catch {
        // already gone
      }
    }
    if (kills.length > 100) kills.splice(0, kills.length - 100);
  };

  return {
    track: () => {
      if (!supported) return () => undefined;
      active += 1;
      if (active === 1) {
        timer = setInterval(poll, POLL_MS);
        timer.unref();
      }
      let done = false;
      return () => {
        if (done) return;
        done = true;
        active -= 1;
        if (active === 0) clearInterval(timer);
      };
    },
    killsSince: (since) => kills.filter((at) => at >= since).length,
  };
};
