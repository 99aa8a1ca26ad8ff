import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { errors } from '../domain/errors.ts';

/** Header value by case-insensitive name (API Gateway lowercases names; be liberal anyway). */
export const header = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
};

const isJsonMediaType = (contentType: string | undefined): boolean => {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json' || (mediaType?.endsWith('+json') ?? false);
};

/**
 * The request body parsed as JSON: 415 unless the Content-Type is JSON, 413 above `maxBytes`,
 * 400 when the text is not JSON.
 */
export const readJsonBody = (event: APIGatewayProxyEventV2, maxBytes: number): unknown => {
  const contentType = header(event, 'content-type');
  if (!isJsonMediaType(contentType)) throw errors.unsupportedMediaType(contentType);
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > maxBytes) throw errors.payloadTooLarge(maxBytes, bytes.byteLength);
  if (bytes.byteLength === 0) throw errors.invalidJson('the body is empty');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw errors.invalidJson(err instanceof Error ? err.message : String(err));
  }
};
