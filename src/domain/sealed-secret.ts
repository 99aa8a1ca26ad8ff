import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption of an account's webhook signing secret, as stored in the Users table: a fresh
 * AES-256 data key per secret encrypts it with AES-256-GCM; the data key is kept only wrapped, by KMS
 * on AWS or by a local key on the local stack (adapters/*-data-keys.ts). The account id is bound to
 * both layers (KMS encryption context, GCM additional data), so a value copied into another
 * account's row does not open there.
 *
 * Stored form: `v1:<wrapper>:<wrapped data key>:<iv>:<tag>:<ciphertext>`, base64url fields.
 * A value starting with `whsec_` is a secret written before encryption at rest (clear text).
 */

export const SEALED_VERSION = 'v1';
/** The purpose every data key is generated for (KMS encryption context, IAM conditions). */
export const SECRET_PURPOSE = 'webhook-signing-secret';

/** Who wrapped the data key. */
export type KeyWrapper = 'kms' | 'local';

/** The KMS encryption context of an account's secret; the local wrapper uses it as GCM AAD. */
export const encryptionContext = (accountId: string): Record<string, string> => ({
  purpose: SECRET_PURPOSE,
  user_id: accountId,
});

/** Additional authenticated data of the secret's own encryption: version and context. */
export const contextAad = (accountId: string): Buffer =>
  Buffer.from(JSON.stringify([SEALED_VERSION, SECRET_PURPOSE, accountId]), 'utf8');

/**
 * Makes and unwraps data keys: KMS on AWS (adapters/kms-data-keys.ts), a local key-encryption key
 * on the local stack (adapters/local-data-keys.ts). Everything else about a sealed secret is the same.
 */
export interface DataKeyProvider {
  readonly wrapper: KeyWrapper;
  /** A fresh AES-256 data key, in clear and wrapped, bound to `context`. */
  generate(context: Record<string, string>): Promise<{ plaintext: Buffer; wrapped: Buffer }>;
  /** The data key `wrapped` holds; SealedSecretError when it does not open under `context`. */
  unwrap(wrapped: Buffer, context: Record<string, string>): Promise<Buffer>;
}

/** A stored secret that cannot be opened for this account: tampered, or sealed for another one. */
export class SealedSecretError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`the stored webhook signing secret does not open: ${reason}`, options);
    this.name = 'SealedSecretError';
  }
}

export interface SealedSecret {
  wrapper: KeyWrapper;
  wrappedKey: Buffer;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

/** True for a value written before encryption at rest: the secret itself, in clear. */
export const isLegacyClearSecret = (stored: string): boolean => stored.startsWith('whsec_');

/** AES-256-GCM under `key`; the result is iv, tag and ciphertext. */
export const gcmEncrypt = (
  key: Buffer,
  plaintext: Buffer,
  aad: Buffer,
): { iv: Buffer; tag: Buffer; ciphertext: Buffer } => {
  const iv = randomBytes(GCM_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
};

/** Opens what gcmEncrypt sealed; a wrong key, AAD, tag or ciphertext throws SealedSecretError. */
export const gcmDecrypt = (
  key: Buffer,
  parts: { iv: Buffer; tag: Buffer; ciphertext: Buffer },
  aad: Buffer,
): Buffer => {
  if (parts.iv.length !== GCM_IV_BYTES || parts.tag.length !== GCM_TAG_BYTES)
    throw new SealedSecretError('malformed iv or tag');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch (err) {
    throw new SealedSecretError('authentication failed (tampered, or sealed for another account)', {
      cause: err,
    });
  }
};

export const formatSealed = (sealed: SealedSecret): string =>
  [
    SEALED_VERSION,
    sealed.wrapper,
    ...[sealed.wrappedKey, sealed.iv, sealed.tag, sealed.ciphertext].map((b) => b.toString('base64url')),
  ].join(':');

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const parseSealed = (stored: string): SealedSecret => {
  const [version, wrapper, ...fields] = stored.split(':');
  if (version !== SEALED_VERSION) throw new SealedSecretError('unknown format');
  if (wrapper !== 'kms' && wrapper !== 'local') throw new SealedSecretError('unknown key wrapper');
  if (fields.length !== 4 || !fields.every((f) => BASE64URL.test(f)))
    throw new SealedSecretError('malformed value');
  const [wrappedKey, iv, tag, ciphertext] = fields.map((f) => Buffer.from(f, 'base64url')) as [
    Buffer,
    Buffer,
    Buffer,
    Buffer,
  ];
  return { wrapper, wrappedKey, iv, tag, ciphertext };
};

/** Encrypts `secret` for `accountId` under a fresh data key, whose wrapped form travels along. */
export const sealWithDataKey = (
  dataKey: { plaintext: Buffer; wrapped: Buffer; wrapper: KeyWrapper },
  accountId: string,
  secret: string,
): string =>
  formatSealed({
    wrapper: dataKey.wrapper,
    wrappedKey: dataKey.wrapped,
    ...gcmEncrypt(dataKey.plaintext, Buffer.from(secret, 'utf8'), contextAad(accountId)),
  });

/** Decrypts a parsed sealed secret with its unwrapped data key. */
export const openWithDataKey = (dataKey: Buffer, accountId: string, sealed: SealedSecret): string => {
  if (dataKey.length !== DATA_KEY_BYTES) throw new SealedSecretError('data key of the wrong size');
  return gcmDecrypt(dataKey, sealed, contextAad(accountId)).toString('utf8');
};
