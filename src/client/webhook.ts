import { Webhook } from 'standardwebhooks';
import type { WebhookPayload } from '../domain/webhook.ts';

export { WebhookVerificationError } from 'standardwebhooks';
export type { WebhookPayload };

/** Request headers as any server hands them: a `Headers`, Node's `IncomingHttpHeaders` or a plain object. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

const header = (headers: WebhookHeaders, name: string): string => {
  if (headers instanceof Headers) return headers.get(name) ?? '';
  const value = headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return (Array.isArray(value) ? value[0] : value) ?? '';
};

/**
 * Checks a podpdf webhook (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`)
 * against the account's `whsec_…` secret and returns its payload. Pass the raw body, before any JSON
 * parsing. Throws `WebhookVerificationError` when the signature does not match or the timestamp is
 * more than 5 minutes off.
 *
 * @example
 * const event = verifyWebhook(process.env.PODPDF_WEBHOOK_SECRET, rawBody, req.headers);
 * if (event.status === 'completed') console.log(event.s3_url);
 */
export const verifyWebhook = (
  secret: string,
  body: string | Uint8Array,
  headers: WebhookHeaders,
): WebhookPayload => {
  const payload = typeof body === 'string' ? body : Buffer.from(body);
  return new Webhook(secret).verify(payload, {
    'webhook-id': header(headers, 'webhook-id'),
    'webhook-timestamp': header(headers, 'webhook-timestamp'),
    'webhook-signature': header(headers, 'webhook-signature'),
  }) as WebhookPayload;
};
