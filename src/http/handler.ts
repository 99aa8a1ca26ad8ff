import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { toPodpdfError } from '../domain/errors.ts';
import { log } from '../log.ts';
import { errorResponse, type HttpResult } from './response.ts';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;

/**
 * Wraps a route. The route may add to `headers` (a job id once the job exists): they go out on success
 * and on error alike. Whatever the route throws becomes the error shape with the right status. Client errors are
 * shown as they are; server errors are logged with their cause and shown only by code and message.
 */
export const httpHandler =
  (
    route: (
      event: APIGatewayProxyEventV2,
      context: Context,
      headers: Record<string, string>,
    ) => Promise<HttpResult>,
  ) =>
  async (event: APIGatewayProxyEventV2, context: Context): Promise<HttpResult> => {
    const headers: Record<string, string> = {};
    const requestId = event.requestContext?.requestId;
    try {
      const result = await route(event, context, headers);
      return { ...result, headers: { ...result.headers, ...headers, 'x-request-id': requestId } };
    } catch (thrown) {
      const err = toPodpdfError(thrown);
      if (err.status >= 500) {
        log.error('request failed', {
          route: event.routeKey,
          requestId,
          code: err.code,
          cause: err.cause ?? thrown,
        });
      } else {
        log.info('request refused', { route: event.routeKey, requestId, code: err.code });
      }
      return errorResponse(err, { ...headers, 'x-request-id': requestId });
    }
  };
