import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LAUNCHER = fileURLToPath(new URL('../../bin/podpdf.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs `podpdf …` as a user would (bin/podpdf.mjs in a child process) with only the given
 * environment besides PATH; killed by its pid after `timeoutMs`.
 */
export const runCli = (
  args: string[],
  options: {
    env?: Record<string, string>;
    stdin?: string | Buffer;
    cwd?: string;
    timeoutMs?: number;
    /** Called once stderr has a line matching it, with the child's process group id (Ctrl-C tests). */
    onStderr?: { match: RegExp; signal: (processGroup: number) => void };
  } = {},
): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: 'pipe',
      // Its own process group, as a terminal gives a command: a signal can reach launcher and CLI alike.
      detached: true,
    });
    let matched = false;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      if (!matched && options.onStderr?.match.test(Buffer.concat(stderr).toString()) && child.pid) {
        matched = true;
        options.onStderr.signal(child.pid);
      }
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`podpdf ${args.join(' ')} did not end within ${options.timeoutMs ?? 120_000} ms`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.end(options.stdin ?? '');
  });
