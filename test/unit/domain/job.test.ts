import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allowsTransition,
  JOB_TRANSITIONS,
  type JobStatus,
  jobStage,
  STAGE_PROGRESS,
  TERMINAL_STATUSES,
} from '../../../src/domain/job.ts';

const NOW = 1_000_000;
const row = (status: JobStatus, lease?: { token: string; expiresAt: number }) => ({
  status,
  ...(lease ? { lease_token: lease.token, lease_expires_at: lease.expiresAt } : {}),
});
const live = { token: 'mine', expiresAt: NOW + 1 };
const lapsed = { token: 'dead', expiresAt: NOW - 1 };

describe('job transitions', () => {
  it('a worker claims a queued job, or a processing one whose lease ran out, never a live claim', () => {
    assert.equal(allowsTransition('claim', row('queued'), NOW), true);
    assert.equal(allowsTransition('claim', row('processing', lapsed), NOW), true);
    assert.equal(allowsTransition('claim', row('processing', live), NOW), false);
  });

  it('only the claim holder releases, completes or fails a processing job', () => {
    for (const transition of ['release', 'complete', 'failClaimed'] as const) {
      assert.equal(allowsTransition(transition, row('processing', live), NOW, 'mine'), true, transition);
      assert.equal(allowsTransition(transition, row('processing', live), NOW, 'other'), false, transition);
      assert.equal(allowsTransition(transition, row('processing', live), NOW), false, transition);
      assert.equal(allowsTransition(transition, row('queued'), NOW, 'mine'), false, transition);
    }
  });

  it('a job no live worker holds can be failed; only a queued one cancelled', () => {
    assert.equal(allowsTransition('failUnclaimed', row('queued'), NOW), true);
    assert.equal(allowsTransition('failUnclaimed', row('processing', lapsed), NOW), true);
    assert.equal(allowsTransition('failUnclaimed', row('processing', live), NOW), false);
    assert.equal(allowsTransition('cancel', row('queued'), NOW), true);
    assert.equal(allowsTransition('cancel', row('processing', lapsed), NOW), false);
  });

  it("nothing but the owner's retry of a failed job leaves a terminal state, and every transition leads out of where it starts", () => {
    for (const [name, { from, to }] of Object.entries(JOB_TRANSITIONS)) {
      for (const status of TERMINAL_STATUSES) {
        assert.equal(
          allowsTransition(name as keyof typeof JOB_TRANSITIONS, row(status, lapsed), NOW, 'dead'),
          name === 'retry' && status === 'failed',
          `${name} from ${status}`,
        );
      }
      assert.ok(!(to in from) || to === 'processing', `${name} changes the status`);
    }
  });
});

describe('jobStage', () => {
  it('derives the stage and its progress from the status, the stored stage and the webhook', () => {
    const cases: Array<[Parameters<typeof jobStage>[0], string, number]> = [
      [{ status: 'queued' }, 'queued', 0],
      [{ status: 'processing' }, 'rendering', 0.1],
      [{ status: 'processing', stage: 'rendering' }, 'rendering', 0.1],
      [{ status: 'processing', stage: 'storing' }, 'storing', 0.8],
      [{ status: 'completed', webhook_url: 'https://h' }, 'delivering', 0.95],
      [{ status: 'failed', webhook_url: 'https://h' }, 'delivering', 0.95],
      [{ status: 'completed', webhook_url: 'https://h', webhook_delivered: false }, 'done', 1],
      [{ status: 'completed' }, 'done', 1],
      [{ status: 'cancelled', webhook_url: 'https://h' }, 'done', 1],
      [{ status: 'timeout' }, 'done', 1],
    ];
    for (const [job, stage, progress] of cases) {
      assert.equal(jobStage(job), stage, JSON.stringify(job));
      assert.equal(STAGE_PROGRESS[jobStage(job)], progress);
    }
  });
});
