import { randomBytes } from 'node:crypto';
import { getConfig } from '../config.ts';
import { errors } from '../domain/errors.ts';
import { isLegacyClearSecret } from '../domain/sealed-secret.ts';
import { log } from '../log.ts';
import { webhookUrlPolicyFor, webhookUrlProblem } from '../net/webhook-url-policy.ts';
import type { Caller } from './auth.ts';
import { usageView } from './metering.ts';
import { ports } from './ports.ts';
import { secrets } from './secrets-port.ts';

export interface AccountView {
  user_id: string;
  name: string;
  created_at: string;
  webhook: {
    url: string | null;
    signing_secret_set: boolean;
    /** Why the default webhook is off: its receiver answered 410 Gone (cleared by setting one). */
    disabled: { url: string; at: string; job_id: string; reason: 'gone' } | null;
  };
  plan: Awaited<ReturnType<typeof usageView>>['plan'];
  usage: Awaited<ReturnType<typeof usageView>>['usage'];
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export const getAccountView = async (caller: Caller): Promise<AccountView> => {
  const account = await ports().accounts.getAccount(caller.user_id);
  if (!account) throw errors.notFound('Account');
  return {
    user_id: account.user_id,
    name: account.name,
    created_at: account.created_at,
    webhook: {
      url: account.webhook_url ?? null,
      signing_secret_set: Boolean(account.webhook_secret),
      disabled: account.webhook_disabled ? { ...account.webhook_disabled, reason: 'gone' } : null,
    },
    ...(await usageView(caller)),
  };
};

/**
 * Sets the default webhook. The signing secret is created with the first webhook and returned only
 * then; later calls keep it (rotate it to see a new one).
 */
export const setWebhook = async (
  caller: Caller,
  url: string,
): Promise<{ url: string; signing_secret: string | null }> => {
  const problem = await webhookUrlProblem(url, webhookUrlPolicyFor(getConfig().PODPDF_STAGE));
  if (problem) throw errors.webhookUrlRefused(url, problem);
  const account = await ports().accounts.getAccount(caller.user_id);
  if (!account) throw errors.notFound('Account');
  const secret = account.webhook_secret ? undefined : newSigningSecret();
  await ports().accounts.updateWebhookSettings(caller.user_id, {
    webhook_url: url,
    webhook_disabled: null,
    ...(secret ? { webhook_secret: await secrets().seal(caller.user_id, secret) } : {}),
  });
  if (account.webhook_secret && isLegacyClearSecret(account.webhook_secret))
    await resealLegacySecret(caller.user_id, account.webhook_secret);
  return { url, signing_secret: secret ?? null };
};

/**
 * Encrypts a secret stored in clear before encryption at rest, keeping its value (receivers keep
 * verifying). Only while the row still holds that clear value, so a rotation in between wins; a
 * failure leaves the clear value, still readable, for the next write.
 */
const resealLegacySecret = async (userId: string, clear: string): Promise<void> => {
  try {
    await ports().accounts.replaceWebhookSecret(userId, clear, await secrets().seal(userId, clear));
  } catch (err) {
    log.warn('could not encrypt a signing secret stored in clear', { userId, error: err });
  }
};

/** Removes the default webhook; the secret stays for jobs that name their own webhook_url. */
export const removeWebhook = async (caller: Caller): Promise<void> => {
  await ports().accounts.updateWebhookSettings(caller.user_id, { webhook_url: null });
};

/** Replaces the signing secret (or creates the first one) and returns it, once. */
export const rotateSigningSecret = async (caller: Caller): Promise<{ signing_secret: string }> => {
  const secret = newSigningSecret();
  await ports().accounts.updateWebhookSettings(caller.user_id, {
    webhook_secret: await secrets().seal(caller.user_id, secret),
  });
  return { signing_secret: secret };
};
