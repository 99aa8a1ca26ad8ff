import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { PodpdfError } from '../../../src/domain/errors.ts';
import {
  cursorSigningKey,
  decodeCursor,
  encodeCursor,
  nextSince,
  SINCE_SETTLE_MS,
} from '../../../src/domain/jobs-cursor.ts';

const key = cursorSigningKey({ secret: 's'.repeat(32), stage: 'test', jobsTable: 'jobs' });
const position = { created_at: '2025-05-01T12:00:00.000Z', job_id: '0b6f5c1e-8d0a-4b8e-9f51-3c2d7e9a4b10' };

const refusedAsInvalidCursor = (cursor: string, owner = 'owner-a', withKey = key) =>
  assert.throws(
    () => decodeCursor(cursor, owner, withKey),
    (err: unknown) =>
      err instanceof PodpdfError &&
      err.code === 'INVALID_CURSOR' &&
      err.status === 400 &&
      err.message === 'The cursor is not one this API issued.',
  );

/** A correctly signed cursor for any payload, to prove the contents are checked after the signature. */
const signedPayload = (payload: unknown, owner = 'owner-a'): string => {
  const text = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createHmac('sha256', key)
    .update(JSON.stringify([owner, text]))
    .digest('base64url');
  return `${text}.${signature}`;
};

describe('jobs cursor', () => {
  it('round-trips a position for the account it was issued to, without naming the account', () => {
    const cursor = encodeCursor(position, 'owner-a', key);
    assert.deepEqual(decodeCursor(cursor, 'owner-a', key), position);
    assert.doesNotMatch(Buffer.from(cursor.split('.')[0] ?? '', 'base64url').toString(), /owner-a/);
    assert.ok(cursor.length < 200, `${cursor.length} characters`);
  });

  it("refuses another account's cursor and one signed with another key", () => {
    const cursor = encodeCursor(position, 'owner-a', key);
    refusedAsInvalidCursor(cursor, 'owner-b');
    refusedAsInvalidCursor(
      cursor,
      'owner-a',
      cursorSigningKey({ secret: 't'.repeat(32), stage: 'test', jobsTable: 'jobs' }),
    );
    refusedAsInvalidCursor(cursor, 'owner-a', cursorSigningKey({ stage: 'test', jobsTable: 'jobs' }));
  });

  it('refuses a tampered signature or payload', () => {
    const cursor = encodeCursor(position, 'owner-a', key);
    const [payload = '', signature = ''] = cursor.split('.');
    const flip = (text: string, at: number) =>
      `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    refusedAsInvalidCursor(`${payload}.${flip(signature, 10)}`);
    refusedAsInvalidCursor(`${flip(payload, 5)}.${signature}`);
    const other = encodeCursor(
      { ...position, job_id: '1b6f5c1e-8d0a-4b8e-9f51-3c2d7e9a4b10' },
      'owner-a',
      key,
    );
    refusedAsInvalidCursor(`${other.split('.')[0]}.${signature}`);
    refusedAsInvalidCursor(`${payload}.${signature.slice(0, 42)}`);
    refusedAsInvalidCursor(`${payload}.${signature}A`);
  });

  it('refuses malformed cursors, including the unsigned ones this API used to issue', () => {
    const unsigned = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const cursor of [
      '',
      'garbage',
      '!!!!.@@@@',
      '.',
      `.${'A'.repeat(43)}`,
      unsigned({ owner: 'owner-a', ...position }),
      unsigned({ owner: 'owner-a', created_at: position.created_at, job_id: '' }),
      unsigned({ owner: 'owner-a', created_at: 'x'.repeat(1400), job_id: position.job_id }),
      `${'A'.repeat(300)}.${'A'.repeat(43)}`,
    ]) {
      refusedAsInvalidCursor(cursor);
    }
  });

  it('refuses a signed cursor whose position no job can have', () => {
    for (const payload of [
      [position.created_at, ''],
      ['x'.repeat(1400), position.job_id],
      ['2025-05-01', position.job_id],
      ['2025-02-30T12:00:00.000Z', position.job_id],
      [position.created_at, 'not-a-uuid'],
      [position.created_at, position.job_id.toUpperCase()],
      [position.created_at, position.job_id, 'extra'],
      [position.created_at],
      { created_at: position.created_at, job_id: position.job_id },
      [1, position.job_id],
      null,
      'text',
    ]) {
      refusedAsInvalidCursor(signedPayload(payload));
    }
    const notJson = Buffer.from('{not json').toString('base64url');
    const signature = createHmac('sha256', key)
      .update(JSON.stringify(['owner-a', notJson]))
      .digest('base64url');
    refusedAsInvalidCursor(`${notJson}.${signature}`);
    assert.deepEqual(
      decodeCursor(signedPayload([position.created_at, position.job_id]), 'owner-a', key),
      position,
    );
  });

  it('round-trips a change position, distinct from a creation position at the same instant', () => {
    const change = { updated_at: position.created_at, job_id: position.job_id };
    const cursor = encodeCursor(change, 'owner-a', key);
    assert.deepEqual(decodeCursor(cursor, 'owner-a', key), change);
    assert.notEqual(cursor, encodeCursor(position, 'owner-a', key));
    refusedAsInvalidCursor(cursor, 'owner-b');
    for (const payload of [
      ['u', position.created_at],
      ['u', 'soon', position.job_id],
      ['v', position.created_at, position.job_id],
    ]) {
      refusedAsInvalidCursor(signedPayload(payload));
    }
  });
});

describe('nextSince', () => {
  const since = '2025-05-01T12:00:00.000Z';
  const at = (ms: number) => new Date(ms).toISOString();
  const now = Date.parse('2025-05-01T12:10:00.000Z');

  it('after a complete listing, stays SINCE_SETTLE_MS behind the time of the listing', () => {
    assert.equal(nextSince(since, now, { complete: true }), at(now - SINCE_SETTLE_MS));
    assert.equal(
      nextSince(since, now, { complete: true, lastSeen: at(now - 10) }),
      at(now - SINCE_SETTLE_MS),
    );
  });

  it('after a partial page, goes on from the newest change shown, never past the settled time', () => {
    assert.equal(
      nextSince(since, now, { complete: false, lastSeen: '2025-05-01T12:05:00.000Z' }),
      '2025-05-01T12:05:00.000Z',
    );
    assert.equal(
      nextSince(since, now, { complete: false, lastSeen: at(now - 5) }),
      at(now - SINCE_SETTLE_MS),
    );
    assert.equal(nextSince(since, now, { complete: false }), since);
  });

  it('never goes back before since, even when since is in the future', () => {
    const future = at(now + 60_000);
    assert.equal(nextSince(future, now, { complete: true }), future);
  });
});
