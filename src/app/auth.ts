import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Account, findAccountByKeyHash } from '../adapters/users-table.ts';
import { getConfig } from '../config.ts';
import { extractApiKey, hashApiKey } from '../domain/api-key.ts';
import { errors } from '../domain/errors.ts';
import { header } from '../http/request.ts';

/** Resolved keys, kept briefly so a warm Lambda does not query the Users table on every request. */
const cache = new Map<string, { account: Account; expiresAt: number }>();

/**
 * The account behind the request's API key; 401 when the key is missing or unknown. Known keys are
 * cached for PODPDF_AUTH_CACHE_MS (unknown keys are not, so a new key works at once).
 */
export const authenticate = async (event: APIGatewayProxyEventV2): Promise<Account> => {
  const apiKey = extractApiKey(header(event, 'authorization'), header(event, 'x-api-key'));
  if (!apiKey) throw errors.unauthorized('missing');
  const keyHash = hashApiKey(apiKey);
  const now = Date.now();
  const hit = cache.get(keyHash);
  if (hit && hit.expiresAt > now) return hit.account;
  const account = await findAccountByKeyHash(keyHash);
  if (!account) throw errors.unauthorized('unknown');
  const ttl = getConfig().PODPDF_AUTH_CACHE_MS;
  if (ttl > 0) cache.set(keyHash, { account, expiresAt: now + ttl });
  return account;
};
