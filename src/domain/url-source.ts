import * as z from 'zod';

/**
 * URL input: the page at `url`, fetched by Chromium through the egress proxy like any sub-resource,
 * with what a client may add to its requests. Headers and cookies go to the URL's own origin (host)
 * only, never to the third parties the page loads from.
 */

/** An RFC 9110 token: a header or cookie name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Printable text without line breaks: a header value or a user agent. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\uffff]*$/;
/** A cookie value (RFC 6265 cookie-octet): no space, quote, comma, semicolon or backslash. */
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/** Headers Chromium sets itself or that describe the connection: a request may not set them. */
const RESERVED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'cookie',
  'user-agent',
  'expect',
]);

export const sourceUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2_048)
  .refine((value) => {
    const url = new URL(value);
    return !url.username && !url.password;
  }, 'must not carry credentials; send them in http_headers');

export const httpHeaders = z
  .record(
    z.string().regex(TOKEN, 'header names are tokens').max(256),
    z.string().regex(FIELD_VALUE, 'header values are one line of text').max(4_096),
  )
  .refine((headers) => Object.keys(headers).length <= 16, 'at most 16 headers')
  .refine(
    (headers) => !Object.keys(headers).some((name) => RESERVED_HEADERS.has(name.toLowerCase())),
    `these are set by the browser: ${[...RESERVED_HEADERS].join(', ')} (use cookies and user_agent)`,
  );

export const cookies = z
  .array(
    z.strictObject({
      name: z.string().min(1).max(256).regex(TOKEN, 'cookie names are tokens'),
      value: z
        .string()
        .max(4_096)
        .regex(COOKIE_VALUE, 'cookie values may not hold spaces, quotes, commas, semicolons or backslashes'),
    }),
  )
  .max(30);

export const userAgent = z.string().min(1).max(512).regex(FIELD_VALUE, 'must be one line of text');

/** Statuses of 400 or more the page may answer with and still be printed. */
export const acceptStatuses = z.array(z.number().int().min(400).max(599)).max(32);

/**
 * The page to print and what its requests carry. Bounded so that it always travels in a long job's
 * queue message, never in the job row: headers and cookies may be credentials.
 */
export const urlSourceSchema = z.strictObject({
  url: sourceUrl,
  http_headers: httpHeaders.optional(),
  cookies: cookies.optional(),
  user_agent: userAgent.optional(),
  accept_statuses: acceptStatuses.optional(),
});
export type UrlSource = z.infer<typeof urlSourceSchema>;
