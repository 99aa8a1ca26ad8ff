import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { toPodpdfError } from '../domain/errors.ts';
import { log } from '../log.ts';
import { metric } from '../metrics.ts';
import { accountOf } from './request-log.ts';
import { errorResponse, type HttpResult } from './response.ts';

/** True until this process has answered its first request (a Lambda cold start). */
let coldStart = true;

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
    const started = Date.now();
    const cold = coldStart;
    coldStart = false;
    /** One line per request, whatever its outcome: who, what, how it ended and how long it took. */
    const logAnswer = (status: number, errorCode?: string) => {
      metric('Requests', 1, { route: event.routeKey, status: String(status) });
      log.info('request', {
        route: event.routeKey,
        status,
        duration_ms: Date.now() - started,
        request_id: requestId,
        lambda_request_id: context.awsRequestId,
        cold_start: cold,
        account_id: accountOf(event),
        job_id: headers['x-job-id'],
        ...(errorCode ? { error_code: errorCode } : {}),
      });
    };
    try {
      const result = await route(event, context, headers);
      logAnswer(result.statusCode ?? 200);
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
      }
      logAnswer(err.status, err.code);
      return errorResponse(err, { ...headers, 'x-request-id': requestId });
    }
  };
