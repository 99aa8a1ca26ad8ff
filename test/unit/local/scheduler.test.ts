import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { startSchedule } from '../../../src/local/scheduler.ts';

const base = { functionName: 'podpdf-local-sweeper', region: 'us-east-1', timeoutSeconds: 5 };

describe('startSchedule', () => {
  it('runs on demand with a Scheduled Event and the function timeout, and returns the result', async () => {
    const seen: Array<[ScheduledEvent, Context]> = [];
    const schedule = startSchedule({
      ...base,
      everyMs: 3_600_000,
      handler: async (event, context) => {
        seen.push([event, context]);
        return { swept: 1 };
      },
    });
    assert.deepEqual(await schedule.runNow(), { swept: 1 });
    await schedule.stop();
    const [[event, context] = []] = seen;
    assert.equal(event?.source, 'aws.events');
    assert.equal(event?.['detail-type'], 'Scheduled Event');
    assert.equal(context?.functionName, 'podpdf-local-sweeper');
    assert.ok((context?.getRemainingTimeInMillis() ?? 0) > 4_000);
  });

  it('runs at its rate, skips a tick while a run is going on, and stops', async () => {
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const schedule = startSchedule({
      ...base,
      everyMs: 10,
      handler: async () => {
        runs += 1;
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await sleep(35);
        concurrent -= 1;
      },
    });
    await sleep(200);
    await schedule.stop();
    const after = runs;
    assert.ok(after >= 2, `ran ${after} times`);
    assert.equal(maxConcurrent, 1);
    await sleep(50);
    assert.equal(runs, after, 'no run after stop');
  });

  it('does not tick without `start`, and a run past the timeout rejects', async () => {
    let runs = 0;
    const schedule = startSchedule({
      ...base,
      timeoutSeconds: 0.05,
      everyMs: 5,
      start: false,
      handler: async () => {
        runs += 1;
        await sleep(200);
      },
    });
    await sleep(30);
    assert.equal(runs, 0);
    await assert.rejects(schedule.runNow(), /timed out/);
    await schedule.stop();
  });
});
