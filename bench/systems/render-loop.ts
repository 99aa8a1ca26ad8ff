/**
 * A render loop in a process of its own, for the cost scenario to run under a CPU limit: renders each
 * document given in argv (by fixture id) `warmup` times, then `n` times, with podpdf's renderPdf() as a
 * quick job uses it, and prints `{ "<id>": [ms, ...] }` on stdout.
 *   node bench/systems/render-loop.ts <warmup> <n> <id> [<id> ...]
 */
import { MAX_PDF_PAGES } from '../../src/domain/limits.ts';
import { renderOptionsSchema } from '../../src/domain/render-request.ts';
import { useProjectTmpdir } from '../../src/local/project-tmpdir.ts';
import { closeRenderer } from '../../src/renderer/pages.ts';
import { renderPdf } from '../../src/renderer/render.ts';
import { loadDocument } from '../fixtures/documents.ts';

useProjectTmpdir();
const [warmup, n, ...ids] = process.argv.slice(2);
const options = renderOptionsSchema.parse({});
const render = (html: string) =>
  renderPdf(html, options, {
    deadline: Date.now() + 60_000,
    maxPages: MAX_PDF_PAGES,
    allowPrivateNetwork: false,
    streamPdf: false,
  });

const samples: Record<string, number[]> = {};
for (const id of ids) {
  const { html } = loadDocument(id as Parameters<typeof loadDocument>[0]);
  for (let i = 0; i < Number(warmup); i += 1) await render(html);
  const times: number[] = [];
  for (let i = 0; i < Number(n); i += 1) {
    const started = performance.now();
    await render(html);
    times.push(performance.now() - started);
  }
  samples[id] = times;
}
await closeRenderer();
process.stdout.write(JSON.stringify(samples));
