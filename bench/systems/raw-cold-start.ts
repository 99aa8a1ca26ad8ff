/**
 * The cold-start baseline, run as a fresh process by scenarios/cold-start.ts:
 *
 *   node bench/systems/raw-cold-start.ts <document-id>
 *
 * Loads puppeteer-core and @sparticuz/chromium, launches the same Chromium podpdf uses, renders one
 * document and prints one JSON line once the PDF exists; then closes the browser and exits. The parent
 * stops its clock at that line, so process exit is not counted (nor is podpdf's).
 */
import { type DocumentId, loadDocument } from '../fixtures/documents.ts';
import { chromiumLaunchSpec, closeBrowserSafely, launchBrowser, renderInBrowser } from './chromium.ts';

export interface RawColdStartReport {
  event: 'rendered';
  /** Both relative to this process's time origin (its start). */
  launchedAtMs: number;
  renderedAtMs: number;
  browserPid: number | undefined;
  pdfBytes: number;
}

const doc = loadDocument((process.argv[2] ?? 'invoice') as DocumentId);
const spec = await chromiumLaunchSpec();
const browser = await launchBrowser(spec);
const launchedAtMs = performance.now();
const browserPid = browser.process()?.pid;
try {
  const pdf = await renderInBrowser(browser, doc.html);
  const report: RawColdStartReport = {
    event: 'rendered',
    launchedAtMs,
    renderedAtMs: performance.now(),
    browserPid,
    pdfBytes: pdf.byteLength,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await closeBrowserSafely(browser);
}
