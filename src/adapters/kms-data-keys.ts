import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { getConfig } from '../config.ts';
import { DATA_KEY_BYTES, type DataKeyProvider, SealedSecretError } from '../domain/sealed-secret.ts';

/** The two KMS calls podpdf makes, as plain functions, so a unit test can stand in for KMS. */
export interface KmsCalls {
  generateDataKey(input: {
    KeyId: string;
    KeySpec: 'AES_256';
    EncryptionContext: Record<string, string>;
  }): Promise<{ Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array }>;
  decrypt(input: {
    KeyId: string;
    CiphertextBlob: Uint8Array;
    EncryptionContext: Record<string, string>;
  }): Promise<{ Plaintext?: Uint8Array }>;
}

let client: KMSClient | undefined;

/** The process's KMS client, created on first use. */
export const awsKms = (): KmsCalls => {
  client ??= new KMSClient({ region: getConfig().AWS_REGION });
  const kms = client;
  return {
    generateDataKey: (input) => kms.send(new GenerateDataKeyCommand(input)),
    decrypt: (input) => kms.send(new DecryptCommand(input)),
  };
};

/**
 * What KMS answers when a ciphertext does not open under the key and context given: tampered, or
 * bound to another account. Anything else (throttling, access denied, network) is not about the
 * stored value and stays an ordinary, retryable error.
 */
const NOT_OPENABLE = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/**
 * Data keys from KMS: `GenerateDataKey` (AES-256) when a secret is sealed, `Decrypt` when it is
 * opened, both under the one key `keyId` and the account's encryption context. KMS never sees the
 * secret, only the data key.
 */
export const kmsDataKeys = (keyId: string, kms: KmsCalls = awsKms()): DataKeyProvider => ({
  wrapper: 'kms',
  generate: async (context) => {
    const answer = await kms.generateDataKey({
      KeyId: keyId,
      KeySpec: 'AES_256',
      EncryptionContext: context,
    });
    if (answer.Plaintext?.length !== DATA_KEY_BYTES || !answer.CiphertextBlob?.length)
      throw new Error('KMS GenerateDataKey answered without a 256-bit data key');
    return { plaintext: Buffer.from(answer.Plaintext), wrapped: Buffer.from(answer.CiphertextBlob) };
  },
  unwrap: async (wrapped, context) => {
    try {
      const answer = await kms.decrypt({ KeyId: keyId, CiphertextBlob: wrapped, EncryptionContext: context });
      if (!answer.Plaintext) throw new Error('KMS Decrypt answered without a plaintext');
      return Buffer.from(answer.Plaintext);
    } catch (err) {
      if (NOT_OPENABLE.has((err as { name?: string }).name ?? ''))
        throw new SealedSecretError(`KMS refused the data key (${(err as Error).name})`, { cause: err });
      throw err;
    }
  },
});
