import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allowsTransition,
  JOB_TRANSITIONS,
  type JobStatus,
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

  it('nothing leaves a terminal state, and every transition leads out of where it starts', () => {
    for (const [name, { from, to }] of Object.entries(JOB_TRANSITIONS)) {
      for (const status of TERMINAL_STATUSES) {
        assert.equal(
          allowsTransition(name as keyof typeof JOB_TRANSITIONS, row(status, lapsed), NOW, 'dead'),
          false,
        );
      }
      assert.ok(!(to in from) || to === 'processing', `${name} changes the status`);
    }
  });
});
