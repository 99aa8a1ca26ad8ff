import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { withTimeout } from '../../../src/util/with-timeout.ts';

const MODULE = fileURLToPath(new URL('../../../src/util/with-timeout.ts', import.meta.url));

/**
 * Runs `withTimeout(work settling after workMs, guardMs)` in a child process that is stopped with
 * SIGSTOP for `frozenMs` right after arming (as Lambda freezes an environment), and returns what it
 * printed: the work's value or the timeout's message.
 */
const runFrozen = async (guardMs: number, workMs: number, frozenMs: number): Promise<string> => {
  const script = `
    const { withTimeout } = await import(${JSON.stringify(MODULE)});
    const work = new Promise((resolve) => setTimeout(() => resolve('settled'), ${workMs}));
    const outcome = withTimeout(work, ${guardMs}).then((v) => v, (e) => e.message);
    process.stdout.write('armed\\n');
    process.stdout.write((await outcome) + '\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let stopped = false;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!stopped && output.includes('armed')) {
      stopped = true;
      child.kill('SIGSTOP');
      void sleep(frozenMs).then(() => child.kill('SIGCONT'));
    }
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await once(child, 'exit');
  clearTimeout(killer);
  return output.replace('armed\n', '').trim();
};

describe('withTimeout', () => {
  it('passes a value through and rejects once the time is up', async () => {
    assert.equal(await withTimeout(Promise.resolve(7), 50), 7);
    const keepAlive = setInterval(() => undefined, 1_000); // the guard's own timer is unref'd
    try {
      await assert.rejects(withTimeout(new Promise(() => undefined), 30), /timed out after 30 ms/);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('gives the promise one more period when the process was frozen past the deadline', async () => {
    assert.equal(await runFrozen(200, 400, 1_800), 'settled');
  });

  it('still times out after a freeze when the promise does not settle in the extra period', async () => {
    assert.equal(await runFrozen(200, 5_000, 1_800), 'timed out after 200 ms');
  });
});
