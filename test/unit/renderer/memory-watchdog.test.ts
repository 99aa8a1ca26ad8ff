import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { createMemoryWatchdog } from '../../../src/renderer/memory-watchdog.ts';

/** A child that holds `mb` of touched memory and says so; `--type=…` marks it as Chromium does. */
const holder = async (mb: number, type: string): Promise<ChildProcess> => {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const b = Buffer.alloc(${mb} * 1024 * 1024, 1); process.stdout.write('ready'); setInterval(() => b[0]++, 1000);`,
      '--',
      `--type=${type}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await once(child.stdout as NodeJS.ReadableStream, 'data');
  return child;
};

const exited = (child: ChildProcess, withinMs: number): Promise<boolean> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(true)
    : Promise.race([
        once(child, 'exit').then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), withinMs)),
      ]);

describe('memory watchdog', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('kills a renderer past the cap while a render is tracked, and only a renderer', async () => {
    const renderer = await holder(200, 'renderer');
    const utility = await holder(200, 'utility');
    const small = await holder(1, 'renderer');
    children.push(renderer, utility, small);
    const watchdog = createMemoryWatchdog(() => process.pid, 120 * 1024 * 1024);
    const since = Date.now();
    const untrack = watchdog.track();
    try {
      assert.equal(await exited(renderer, 5_000), true, 'the large renderer was killed');
      assert.equal(renderer.signalCode, 'SIGKILL');
      assert.equal(watchdog.killsSince(since), 1);
      assert.equal(await exited(utility, 300), false, 'a non-renderer process is left alone');
      assert.equal(await exited(small, 0), false, 'a renderer under the cap is left alone');
    } finally {
      untrack();
    }
  });

  it('watches nothing while no render is tracked', async () => {
    const renderer = await holder(200, 'renderer');
    children.push(renderer);
    const watchdog = createMemoryWatchdog(() => process.pid, 120 * 1024 * 1024);
    const untrack = watchdog.track();
    untrack();
    assert.equal(await exited(renderer, 500), false);
    assert.equal(watchdog.killsSince(0), 0);
  });
});
