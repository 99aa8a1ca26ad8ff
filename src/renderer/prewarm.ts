import { prewarmRenderer } from './pages.ts';

/**
 * Imported first by the handlers that render. With PODPDF_PREWARM_BROWSER=true (serverless.yml sets
 * it for them) Chromium launches and opens its first page during Lambda's init phase. The deployed
 * entry files do the same before loading the rest of the handler (esbuild.config.ts); this import
 * covers the handler module loaded any other way.
 */
if (process.env.PODPDF_PREWARM_BROWSER === 'true') prewarmRenderer();
