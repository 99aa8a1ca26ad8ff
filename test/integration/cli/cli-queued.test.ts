import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { startTestStack, type TestStack } from '../../helpers/stack.ts';

// No queue pollers: long jobs stay queued, to be listed, cancelled and waited for.
describe('CLI: queued jobs', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  const submitted: string[] = [];

  before(async () => {
    stack = await startTestStack({ apiKeys: ['cli-queued-key'], pollQueues: false });
    env = { PODPDF_API_URL: stack.url, PODPDF_API_KEY: 'cli-queued-key' };
    for (let i = 0; i < 3; i += 1) {
      const res = await stack.post('/longjob', { input_type: 'html', html: `<p>job ${i}</p>` });
      submitted.push(((await res.json()) as { job_id: string }).job_id);
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct created_at
    }
  });
  after(async () => {
    await stack.stop();
  });

  it('jobs list --all follows every page; without it one page and a hint', async () => {
    const all = await runCli(['jobs', 'list', '--all', '--limit', '1'], { env });
    assert.equal(all.code, 0, all.stderr);
    const ids = all.stdout
      .toString()
      .trim()
      .split('\n')
      .map((row) => row.split(' ')[0]);
    assert.deepEqual(ids, [...submitted].reverse());
    const one = await runCli(['jobs', 'list', '--limit', '1'], { env });
    assert.equal(one.stdout.toString().trim().split('\n').length, 1);
    assert.match(one.stderr, /use --all/);
  });

  it('jobs cancel cancels a queued job; again is JOB_NOT_CANCELLABLE', async () => {
    const id = submitted[0] as string;
    const cancelled = await runCli(['jobs', 'cancel', id], { env });
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal(JSON.parse(cancelled.stdout.toString()).status, 'cancelled');
    const again = await runCli(['jobs', 'cancel', id], { env });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error JOB_NOT_CANCELLABLE: .*\ndetails: \{"status":"cancelled"\}/);
  });

  it('Ctrl-C stops --wait with exit 130; the job goes on', async () => {
    const result = await runCli(['render', '-', '--async', '--wait', '-o', '/dev/null'], {
      env,
      stdin: '<p>never rendered here</p>',
      onStderr: { match: /: queued, queued 0%/, signal: (group) => process.kill(-group, 'SIGINT') },
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 130, result.stderr);
    const [, id] = /job ([0-9a-f-]{36}): queued/.exec(result.stderr) ?? [];
    assert.match(result.stderr, new RegExp(`error INTERRUPTED: stopped waiting; job ${id} goes on`));
    const job = (await (await stack.call('GET', `/jobs/${id}`)).json()) as { status: string };
    assert.equal(job.status, 'queued');
  });
});
