import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { descendants, descendantsFromStats } from '../../../src/util/process-tree.ts';

describe('process tree', { skip: process.platform !== 'linux' }, () => {
  it('finds children and grandchildren, the same way from tasks and from stats', async () => {
    // A shell that starts a sleeping grandchild and reports its pid.
    const child = spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let grandchild = 0;
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      grandchild = Number(line.toString().trim());
      const found = descendants(process.pid);
      assert.ok(found.includes(child.pid as number), 'child found');
      assert.ok(found.includes(grandchild), 'grandchild found');
      assert.deepEqual(
        descendants(child.pid as number).sort(),
        descendantsFromStats(child.pid as number).sort(),
      );
      assert.deepEqual(descendants(grandchild), []);
    } finally {
      if (grandchild) process.kill(grandchild, 'SIGKILL');
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
});
