import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { getConfig } from '../config.ts';
import { extractApiKey, hashApiKey } from '../domain/api-key.ts';
import { errors } from '../domain/errors.ts';
import { FAILED_AUTH_BUCKET } from '../domain/limits.ts';
import { type PlanOverride, planOverrideSchema } from '../domain/plan.ts';
import { header } from '../http/request.ts';
import { noteAccount } from '../http/request-log.ts';
import { metric } from '../metrics.ts';
import { takeRequest } from './metering.ts';
import { ports } from './ports.ts';

/**
 * Who is calling, and the account's plan overrides. Settings are read fresh where needed, so the
 * cache never serves stale ones; a changed plan applies within PODPDF_AUTH_CACHE_MS.
 */
export interface Caller {
  user_id: string;
  plan?: PlanOverride;
}

/**
 * Counts a request without a valid key against its source address's bucket (FAILED_AUTH_BUCKET);
 * 429 once the source has sent too many. Its row in the Usage table is `source#<address>`.
 */
const admitFailedAuth = async (event: APIGatewayProxyEventV2): Promise<void> => {
  const source = event.requestContext?.http?.sourceIp ?? 'unknown';
  const { now, rate, result } = await takeRequest(`source#${source}`, FAILED_AUTH_BUCKET);
  if (!result.admitted) {
    metric('Refusals', 1, { reason: 'failed_auth' });
    throw errors.rateLimited(rate.retryAfterSeconds(result.row?.tat ?? now), FAILED_AUTH_BUCKET);
  }
};

/** Resolved keys, kept briefly so a warm Lambda does not query the Users table on every request. */
const cache = new Map<string, { caller: Caller; expiresAt: number }>();

/**
 * The account behind the request's API key; 401 when the key is missing or unknown. Known keys are
 * cached for PODPDF_AUTH_CACHE_MS (unknown keys are not, so a new key works at once).
 */
export const authenticate = async (event: APIGatewayProxyEventV2): Promise<Caller> => {
  const apiKey = extractApiKey(header(event, 'authorization'), header(event, 'x-api-key'));
  if (!apiKey) {
    await admitFailedAuth(event);
    throw errors.unauthorized('missing');
  }
  const keyHash = hashApiKey(apiKey);
  const now = ports().clock.now();
  const hit = cache.get(keyHash);
  if (hit && hit.expiresAt > now) {
    noteAccount(event, hit.caller.user_id);
    return hit.caller;
  }
  const account = await ports().accounts.findAccountByKeyHash(keyHash);
  if (!account) {
    await admitFailedAuth(event);
    throw errors.unauthorized('unknown');
  }
  const override = planOverrideSchema.safeParse(account.plan ?? {});
  const caller: Caller = { user_id: account.user_id, ...(override.success ? { plan: override.data } : {}) };
  const ttl = getConfig().PODPDF_AUTH_CACHE_MS;
  if (ttl > 0) cache.set(keyHash, { caller, expiresAt: now + ttl });
  noteAccount(event, caller.user_id);
  return caller;
};
