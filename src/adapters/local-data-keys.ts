import { randomBytes } from 'node:crypto';
import {
  DATA_KEY_BYTES,
  type DataKeyProvider,
  gcmDecrypt,
  gcmEncrypt,
  SealedSecretError,
} from '../domain/sealed-secret.ts';

/** The encryption context as GCM additional data: its entries in a fixed order. */
const contextBytes = (context: Record<string, string>): Buffer =>
  Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))), 'utf8');

/**
 * Data keys wrapped by a local 32-byte key-encryption key (AES-256-GCM, the encryption context as
 * additional data): KMS's part on the local stack and in tests, where there is no KMS. The wrapped
 * key is iv, tag and ciphertext, concatenated.
 */
export const localDataKeys = (keyEncryptionKey: Buffer): DataKeyProvider => {
  if (keyEncryptionKey.length !== DATA_KEY_BYTES) throw new Error('the local secret key must be 32 bytes');
  return {
    wrapper: 'local',
    generate: async (context) => {
      const plaintext = randomBytes(DATA_KEY_BYTES);
      const { iv, tag, ciphertext } = gcmEncrypt(keyEncryptionKey, plaintext, contextBytes(context));
      return { plaintext, wrapped: Buffer.concat([iv, tag, ciphertext]) };
    },
    unwrap: async (wrapped, context) => {
      if (wrapped.length !== 12 + 16 + DATA_KEY_BYTES) throw new SealedSecretError('malformed wrapped key');
      return gcmDecrypt(
        keyEncryptionKey,
        { iv: wrapped.subarray(0, 12), tag: wrapped.subarray(12, 28), ciphertext: wrapped.subarray(28) },
        contextBytes(context),
      );
    },
  };
};
