import { consoleAsset, SECURITY_HEADERS } from '../console/assets.ts';
import { errors } from '../domain/errors.ts';
import { httpHandler } from '../http/handler.ts';

/**
 * GET / and GET /console/{file}: the web console's page and its assets, with a strict
 * Content-Security-Policy. No authentication: the files hold no data; the page asks for the API key
 * and sends it to the API itself.
 */
export const handler = httpHandler(async (event) => {
  const file = event.routeKey === 'GET /' ? 'index.html' : (event.pathParameters?.file ?? '');
  const asset = consoleAsset(file);
  if (!asset) throw errors.notFound('File');
  return {
    statusCode: 200,
    headers: { 'content-type': asset.contentType, ...SECURITY_HEADERS },
    body: asset.body,
    isBase64Encoded: false,
  };
});
