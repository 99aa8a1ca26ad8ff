import { setTimeout as delay } from 'node:timers/promises';
import { generateApiKey } from '../../src/domain/api-key.ts';
import { killOwnChromium } from './chromium-processes.ts';
import { parsePdf } from './pdf.ts';
import type { TestStack } from './stack.ts';

/** Two API keys in the format the stack generates: one account each once passed as `apiKeys`. */
export const twoTenantKeys = (): [string, string] => [generateApiKey('podpdf_a'), generateApiKey('podpdf_b')];

export interface Answer {
  status: number;
  contentType: string;
  /** Milliseconds from sending to the whole body read. */
  ms: number;
  body: Uint8Array;
  /** The PDF's text (pages joined by spaces) when the answer is a PDF, else ''. */
  text: string;
  /** `error.code` when the answer is podpdf's JSON error. */
  errorCode: string | undefined;
  /** The whole `error` when the answer is podpdf's JSON error. */
  error: { code: string; message: string; details: Record<string, unknown> } | undefined;
}

const read = async (res: Response, started: number): Promise<Answer> => {
  const body = new Uint8Array(await res.arrayBuffer());
  const ms = Date.now() - started;
  const contentType = res.headers.get('content-type') ?? '';
  let text = '';
  let error: Answer['error'];
  if (res.status === 200 && contentType === 'application/pdf') {
    text = (await parsePdf(body)).pageTexts.join(' ');
  } else if (contentType.startsWith('application/json')) {
    try {
      error = (JSON.parse(Buffer.from(body).toString('utf8')) as { error?: Answer['error'] }).error;
    } catch {
      error = undefined;
    }
  }
  return { status: res.status, contentType, ms, body, text, errorCode: error?.code, error };
};

/** POST /quickjob as `apiKey`, timed, with the PDF's text read back. */
export const quickjob = async (
  stack: TestStack,
  apiKey: string,
  html: string,
  options?: Record<string, unknown>,
): Promise<Answer> => {
  const started = Date.now();
  const res = await stack.call('POST', '/quickjob', {
    apiKey,
    body: { input_type: 'html', html, ...(options ? { options } : {}) },
  });
  return read(res, started);
};

/** The median of `runs` warm one-line quick jobs of `apiKey` (after one unmeasured warm-up), ms. */
export const warmBaselineMs = async (stack: TestStack, apiKey: string, runs = 3): Promise<number> => {
  await quickjob(stack, apiKey, '<p>warm-up</p>');
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const answer = await quickjob(stack, apiKey, `<p>baseline ${i}</p>`);
    if (answer.status !== 200) throw new Error(`baseline request answered ${answer.status}`);
    times.push(answer.ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
};

/** What "normal time" allows a request whose warm baseline is `baselineMs`. */
export const normalTimeBound = (baselineMs: number): number => Math.max(3 * baselineMs, baselineMs + 2_000);

/** Resolves when `probe` returns a value, polling every `everyMs`; rejects after `timeoutMs`. */
export const pollUntil = async <T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  everyMs = 100,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
};

/**
 * Stops the stack. A browser whose renderer is stuck (the failure some isolation tests provoke) may
 * never finish closing: after `graceMs` the Chromium processes this test process started are killed by
 * pid, which lets the stop complete, so a failing test cannot hang its file until the runner's timeout.
 */
export const stopStack = async (stack: TestStack, graceMs = 10_000): Promise<void> => {
  const stopping = stack.stop();
  const grace = new AbortController();
  const stopped = await Promise.race([
    stopping.then(() => true),
    delay(graceMs, false, { signal: grace.signal }).catch(() => true),
  ]);
  grace.abort();
  if (stopped) return;
  killOwnChromium();
  await stopping;
};
