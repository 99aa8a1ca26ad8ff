import { createHash, randomBytes } from 'node:crypto';

/** Keys are stored and looked up only by this digest. */
export const hashApiKey = (apiKey: string): string =>
  createHash('sha256').update(apiKey, 'utf8').digest('hex');

/** A new random key: a readable prefix and 32 bytes of entropy. */
export const generateApiKey = (prefix = 'podpdf'): string =>
  `${prefix}_${randomBytes(32).toString('base64url')}`;

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`, Bearer first. */
export const extractApiKey = (
  authorization: string | undefined,
  xApiKey: string | undefined,
): string | undefined => {
  const bearer = authorization?.match(/^\s*Bearer\s+(\S+)\s*$/i)?.[1];
  const key = bearer ?? xApiKey?.trim();
  return key ? key : undefined;
};
