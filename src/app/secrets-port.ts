import { kmsDataKeys } from '../adapters/kms-data-keys.ts';
import { localDataKeys } from '../adapters/local-data-keys.ts';
import { type Config, getConfig } from '../config.ts';
import {
  type DataKeyProvider,
  encryptionContext,
  isLegacyClearSecret,
  openWithDataKey,
  parseSealed,
  SealedSecretError,
  sealWithDataKey,
} from '../domain/sealed-secret.ts';

/**
 * The webhook signing secrets' encryption at rest, apart from ports.ts: only the functions that set
 * secrets (accounts) or sign with them (processor, deadLetter) import it, and with it the KMS client.
 * Unit tests replace it with `useSecrets`.
 */
export interface Secrets {
  /** The value to store for `accountId`'s secret: never the secret itself. */
  seal(accountId: string, secret: string): Promise<string>;
  /**
   * The secret a stored value holds, for `accountId` only. A value written before encryption at rest
   * (`whsec_…` in clear) is returned as it is. SealedSecretError when the value does not open for
   * this account (tampered, sealed for another one, or by another stage's key).
   */
  open(accountId: string, stored: string): Promise<string>;
}

/**
 * Envelope encryption (domain/sealed-secret.ts) with data keys from `keys`, asked for only when a
 * secret is sealed or a sealed one opened: a secret stored in clear opens without any key.
 */
export const envelopeSecrets = (keys: () => DataKeyProvider): Secrets => ({
  seal: async (accountId, secret) => {
    const provider = keys();
    const dataKey = await provider.generate(encryptionContext(accountId));
    try {
      return sealWithDataKey({ ...dataKey, wrapper: provider.wrapper }, accountId, secret);
    } finally {
      dataKey.plaintext.fill(0);
    }
  },
  open: async (accountId, stored) => {
    if (isLegacyClearSecret(stored)) return stored;
    const sealed = parseSealed(stored);
    const provider = keys();
    if (sealed.wrapper !== provider.wrapper)
      throw new SealedSecretError(
        `sealed with a ${sealed.wrapper} key, this stage has a ${provider.wrapper} key`,
      );
    const dataKey = await provider.unwrap(sealed.wrappedKey, encryptionContext(accountId));
    try {
      return openWithDataKey(dataKey, accountId, sealed);
    } finally {
      dataKey.fill(0);
    }
  },
});

/**
 * KMS when PODPDF_SECRETS_KEY_ID is set; the local key on the `local` stage. Anything else fails
 * closed: a deployed stage never stores a secret in clear, nor under a key kept beside the code.
 */
export const dataKeyProviderFor = (config: Config): DataKeyProvider => {
  const { PODPDF_SECRETS_KEY_ID: keyId, PODPDF_LOCAL_SECRET_KEY: localKey, PODPDF_STAGE: stage } = config;
  if (stage !== 'local' && localKey)
    throw new Error(`PODPDF_LOCAL_SECRET_KEY is for the local stage only, not ${stage}: use a KMS key`);
  if (keyId) return kmsDataKeys(keyId);
  if (stage !== 'local')
    throw new Error(
      `webhook signing secrets cannot be sealed or opened on stage ${stage}: PODPDF_SECRETS_KEY_ID (a KMS key) is not set`,
    );
  if (!localKey)
    throw new Error(
      'webhook signing secrets need PODPDF_LOCAL_SECRET_KEY on the local stage (the local stack sets it)',
    );
  return localDataKeys(Buffer.from(localKey, 'base64'));
};

/** How long a warm process reuses a secret it opened: one KMS Decrypt per account and 5 minutes. */
const OPENED_TTL_MS = 5 * 60_000;
const OPENED_MAX = 100;

/**
 * Remembers opened secrets by account and stored value, so a rotation (a new stored value) applies
 * at once and a value copied between accounts is never served from here.
 */
export const remembering = (inner: Secrets, now: () => number = Date.now): Secrets => {
  const opened = new Map<string, { secret: string; until: number }>();
  return {
    seal: inner.seal,
    open: async (accountId, stored) => {
      if (isLegacyClearSecret(stored)) return inner.open(accountId, stored);
      const key = `${accountId}\n${stored}`;
      const hit = opened.get(key);
      if (hit && hit.until > now()) return hit.secret;
      const secret = await inner.open(accountId, stored);
      if (opened.size >= OPENED_MAX) opened.delete(opened.keys().next().value as string);
      opened.set(key, { secret, until: now() + OPENED_TTL_MS });
      return secret;
    },
  };
};

let provider: DataKeyProvider | undefined;
/** The data keys, chosen from the configuration on first use (an error there is thrown again each use). */
const configuredKeys = (): DataKeyProvider => {
  provider ??= dataKeyProviderFor(getConfig());
  return provider;
};

let current: Secrets = remembering(envelopeSecrets(configuredKeys));

/** The secrets port the use cases call. */
export const secrets = (): Secrets => current;

/** Replaces the secrets port until the returned function is called: for unit tests only. */
export const useSecrets = (replacement: Secrets): (() => void) => {
  const previous = current;
  current = replacement;
  return () => {
    current = previous;
  };
};
