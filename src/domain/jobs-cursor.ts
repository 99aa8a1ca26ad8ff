import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors } from './errors.ts';

/** Where a `GET /jobs` listing resumes: just after this job, in newest-first order. */
export interface ListPosition {
  created_at: string;
  job_id: string;
}

/** Where a `GET /jobs?since=` listing resumes: just after this job, in oldest-change-first order. */
export interface ChangePosition {
  updated_at: string;
  job_id: string;
}

export type Position = ListPosition | ChangePosition;

/** Marks a ChangePosition's payload, so a cursor of one listing never positions the other. */
const CHANGES = 'u';

/**
 * How far behind the time of a `since=` listing changes may still appear in it: a row is stamped by
 * its writer's clock, and the index it is listed from is updated asynchronously (normally well under
 * a second). The `next_since` a listing hands back stays this far behind, so that nothing stamped
 * before it can still arrive.
 */
export const SINCE_SETTLE_MS = 2_000;

/**
 * The `since` to poll with next, after a `since=` listing at `now` that returned changes up to
 * `lastSeen` (the newest `updated_at` shown) and `complete` (no next page). Never earlier than
 * `since`, never later than what was read, and at least SINCE_SETTLE_MS behind `now`: changes at or
 * after it are shown again on the next poll, which the client de-duplicates by job id and updated_at.
 *
 * @example
 * nextSince('2025-05-01T12:00:00.000Z', Date.now(), { complete: true }); // now - 2 s
 */
export const nextSince = (
  since: string,
  now: number,
  page: { complete: boolean; lastSeen?: string | undefined },
): string => {
  const settled = now - SINCE_SETTLE_MS;
  const read = page.complete ? settled : Math.min(settled, Date.parse(page.lastSeen ?? since));
  return new Date(Math.max(Date.parse(since), read)).toISOString();
};

/** `<payload>.<signature>`, both base64url; the signature is a whole HMAC-SHA256 (43 characters). */
const CURSOR = /^([A-Za-z0-9_-]{1,256})\.([A-Za-z0-9_-]{43})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const isInstant = (text: string): boolean => ISO_INSTANT.test(text) && new Date(text).toISOString() === text;

/**
 * The key cursors are signed with, derived from `secret` so it serves no other purpose. Without a
 * configured secret the stage and table name stand in: cursors are then still bound to their account
 * and checked, but not secret, which is safe because a cursor only ever positions a query inside the
 * caller's own jobs (see `decodeCursor`).
 */
export const cursorSigningKey = (config: { secret?: string | undefined; stage: string; jobsTable: string }) =>
  createHmac('sha256', config.secret ?? `podpdf:${config.stage}:${config.jobsTable}`)
    .update('podpdf jobs cursor v1')
    .digest();

/** The signature binds the position to the account it was issued to. */
const sign = (key: Buffer, owner: string, payload: string): string =>
  createHmac('sha256', key)
    .update(JSON.stringify([owner, payload]))
    .digest('base64url');

/**
 * An opaque cursor for `owner` resuming after `position`.
 *
 * @example
 * const cursor = encodeCursor({ created_at: job.created_at, job_id: job.job_id }, caller.user_id, key);
 */
export const encodeCursor = (position: Position, owner: string, key: Buffer): string => {
  const fields =
    'updated_at' in position
      ? [CHANGES, position.updated_at, position.job_id]
      : [position.created_at, position.job_id];
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${payload}.${sign(key, owner, payload)}`;
};

/**
 * The position in a cursor this API issued to `owner`; anything else (malformed, signed for another
 * account or with another key, altered, or holding a position no job can have) is INVALID_CURSOR. The
 * owner is not in the cursor at all: the caller's own account always goes into the query, so no
 * cursor can reach another account's jobs.
 */
export const decodeCursor = (cursor: string, owner: string, key: Buffer): Position => {
  const [, payload, signature] = CURSOR.exec(cursor) ?? [];
  // Both are 43 characters once the pattern matched, as timingSafeEqual requires.
  if (
    !payload ||
    !signature ||
    !timingSafeEqual(Buffer.from(signature), Buffer.from(sign(key, owner, payload)))
  ) {
    throw errors.invalidCursor();
  }
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw errors.invalidCursor();
  }
  const changes = Array.isArray(position) && position.length === 3 && position[0] === CHANGES;
  if (!Array.isArray(position) || (position.length !== 2 && !changes)) throw errors.invalidCursor();
  const [at, jobId] = (changes ? position.slice(1) : position) as unknown[];
  if (typeof at !== 'string' || !isInstant(at) || typeof jobId !== 'string' || !UUID.test(jobId)) {
    throw errors.invalidCursor();
  }
  return changes ? { updated_at: at, job_id: jobId } : { created_at: at, job_id: jobId };
};
