import { log } from '../log.ts';
import { getBrowser } from './browser.ts';

/**
 * Imported first by the handlers that render: with PODPDF_PREWARM_BROWSER=true (set for them in
 * serverless.yml) Chromium starts launching while the rest of the bundle is still loading, during
 * Lambda's init phase, so the first request does not wait for it. A failed launch is logged and
 * retried by the first render.
 */
if (process.env.PODPDF_PREWARM_BROWSER === 'true') {
  getBrowser().catch((err: unknown) =>
    log.error('Chromium prewarm failed; the first render retries', { cause: err }),
  );
}
