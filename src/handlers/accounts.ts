import * as z from 'zod';
import { getAccountView, removeWebhook, rotateSigningSecret, setWebhook } from '../app/account.ts';
import { authenticate } from '../app/auth.ts';
import { admit } from '../app/metering.ts';
import { errors } from '../domain/errors.ts';
import { parseWith } from '../domain/validation.ts';
import { httpHandler } from '../http/handler.ts';
import { readJsonBody } from '../http/request.ts';
import { jsonResponse } from '../http/response.ts';

const webhookBodySchema = z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(2048) });
const WEBHOOK_BODY_LIMIT_BYTES = 16 * 1024;

/** GET /accounts/me and the account's webhook settings. */
export const handler = httpHandler(async (event, _context, headers) => {
  const caller = await authenticate(event);
  await admit(caller, headers, false);
  switch (event.routeKey) {
    case 'GET /accounts/me':
      return jsonResponse(200, await getAccountView(caller));
    case 'PUT /accounts/me/webhook': {
      const body = parseWith(webhookBodySchema, readJsonBody(event, WEBHOOK_BODY_LIMIT_BYTES));
      return jsonResponse(200, await setWebhook(caller, body.url));
    }
    case 'DELETE /accounts/me/webhook':
      await removeWebhook(caller);
      return { statusCode: 204, headers: {}, body: '', isBase64Encoded: false };
    case 'POST /accounts/me/webhook/rotate-secret':
      return jsonResponse(200, await rotateSigningSecret(caller));
    default:
      throw errors.methodNotAllowed(event.requestContext.http.method, event.rawPath);
  }
});
