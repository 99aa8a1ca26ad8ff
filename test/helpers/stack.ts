import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../src/local/stack.ts';
import { checkAnswer, documentedPath } from './contract.ts';

export interface TestStack extends LocalStack {
  apiKey: string;
  /** POST JSON (or a raw string body) to the local API. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Any method, JSON body optional, as the first account unless `apiKey` is given. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; apiKey?: string; headers?: Record<string, string> },
  ): Promise<Response>;
}

/**
 * A plan no test of something else reaches: suites send bursts of requests and hundreds of PDFs.
 * The limits themselves are tested with their own (limits.test.ts).
 */
export const UNLIMITED_PLAN = {
  PODPDF_RATE_PER_S: '100000',
  PODPDF_RATE_BURST: '100000',
  PODPDF_MONTHLY_PDFS: '10000000',
  PODPDF_MAX_ACTIVE_JOBS: '100000',
};

/**
 * Every answer the suites get through `call` and `post` is checked against openapi.json (status,
 * headers, body) before the test sees it, on a copy: the spec and the code cannot drift apart.
 */
const checked = async (method: string, path: string, res: Response): Promise<Response> => {
  const template = documentedPath(path);
  // A followed redirect (the download's 302) is the PDF from S3, not an answer of the API.
  if (template && !res.redirected) await checkAnswer(method, template, res.clone());
  return res;
};

/** Starts the full local stack on a free loopback port with quiet logs. */
export const startTestStack = async (options: LocalStackOptions = {}): Promise<TestStack> => {
  const stack = await startLocalStack({
    ...options,
    env: { PODPDF_LOG_LEVEL: 'silent', ...UNLIMITED_PLAN, ...options.env },
  });
  const apiKey = stack.apiKeys[0] as string;
  return {
    ...stack,
    apiKey,
    call: async (method, path, options = {}) =>
      checked(
        method,
        path,
        await fetch(`${stack.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${options.apiKey ?? apiKey}`,
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...options.headers,
          },
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        }),
      ),
    post: async (path, body, headers = {}) =>
      checked(
        'POST',
        path,
        await fetch(`${stack.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
  };
};

/** `count` pages of text, each "Page N of count" on its own sheet. */
export const pagedHtml = (count: number, label = 'Page'): string =>
  `<!DOCTYPE html><html><head><style>section{page-break-after:always;font:24px sans-serif}</style></head><body>${Array.from(
    { length: count },
    (_, i) => `<section>${label} ${i + 1} of ${count}</section>`,
  ).join('')}</body></html>`;
