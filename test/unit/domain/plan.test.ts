import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucket, usagePeriod } from '../../../src/domain/plan.ts';

describe('plan', () => {
  it('counts PDFs per UTC month and says when the month ends', () => {
    assert.deepEqual(usagePeriod(Date.UTC(2026, 11, 31, 23, 59)), {
      id: '2026-12',
      endsAt: Date.UTC(2027, 0, 1),
    });
    assert.equal(usagePeriod(Date.UTC(2027, 0, 1)).id, '2027-01');
  });

  it('admits a burst, then one request per interval', () => {
    const now = 1_000_000;
    const b = bucket({ rate_per_s: 10, burst: 20 }, now);
    assert.equal(b.intervalMs, 100);
    // From an empty history, 20 requests move tat to now + 20 intervals; each one stays admissible.
    let tat = now;
    let admitted = 0;
    for (let i = 0; i < 25; i += 1) {
      const current = Math.max(tat, now);
      if (current > b.latestAdmittedTat) break;
      tat = current + b.intervalMs;
      admitted += 1;
    }
    assert.equal(admitted, 20);
    assert.equal(b.remaining(tat), 0);
    assert.equal(b.remaining(now + b.intervalMs), 19);
    // The 21st request may come one interval later: Retry-After rounds up to whole seconds.
    assert.equal(b.retryAfterSeconds(tat), 1);
    assert.equal(b.resetSeconds(tat), 2);
  });
});
