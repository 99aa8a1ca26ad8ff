import type { DocumentId } from '../fixtures/documents.ts';
import { ms, progress } from '../progress.ts';
import { summarize } from '../stats.ts';
import type { LatencyRow, Scenario, SystemId, WarmSystems } from './types.ts';

interface Completed {
  ms: number;
  pages: number;
  bytes: number;
}

/**
 * Closed loop: `concurrency` workers each start a new render as soon as their last one finishes, until
 * `total` renders are done. Returns every render's latency and the block's wall time.
 */
export const runClosedLoop = async (
  concurrency: number,
  total: number,
  renderOnce: () => Promise<Completed>,
): Promise<{ completed: Completed[]; wallMs: number }> => {
  const completed: Completed[] = [];
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started += 1;
      completed.push(await renderOnce());
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { completed, wallMs: performance.now() - start };
};

/** A latency row from one closed-loop run. */
export const toRow = (
  system: SystemId,
  document: DocumentId,
  concurrency: number,
  run: { completed: Completed[]; wallMs: number },
): LatencyRow => {
  const samplesMs = run.completed.map((c) => c.ms);
  return {
    system,
    document,
    concurrency,
    summary: summarize(samplesMs),
    throughputPerSec: (run.completed.length * 1000) / run.wallMs,
    pages: run.completed[0]?.pages ?? 0,
    pdfBytes: run.completed[0]?.bytes ?? 0,
    samplesMs,
  };
};

/**
 * podpdf quickjob at concurrency 2, 4, 8 against the limit at the same concurrency (that many pages open
 * at once in the one warm browser) and against the same browser with a page per document. The three
 * run back to back per level, in rotating order.
 */
export const concurrencyScenario: Scenario = {
  id: 'concurrency',
  title: 'concurrent latency and throughput: limit vs raw page per document vs podpdf quickjob',
  usesWarmSystems: true,
  run: async (ctx) => {
    const warm = ctx.warm as WarmSystems;
    const { levels, documents, requestsPerLevel } = ctx.plan.concurrency;
    const rows: LatencyRow[] = [];
    for (const id of documents) {
      const doc = ctx.document(id);
      const body = warm.quickjobBodies.get(id) as Buffer;
      const systems: Record<'limit' | 'raw-page-per-doc' | 'podpdf-quickjob', () => Promise<Completed>> = {
        limit: async () => {
          const { ms: elapsed, pdf } = await warm.limit.render(doc.html);
          return { ms: elapsed, pages: doc.pages, bytes: pdf.byteLength };
        },
        'raw-page-per-doc': async () => {
          const { ms: elapsed, pdf } = await warm.limit.renderInOwnPage(doc.html);
          return { ms: elapsed, pages: doc.pages, bytes: pdf.byteLength };
        },
        'podpdf-quickjob': () => warm.quickjob.render(body),
      };
      for (const [index, level] of levels.entries()) {
        const order = (['limit', 'raw-page-per-doc', 'podpdf-quickjob'] as const).map(
          (_, i, all) => all[(i + index) % all.length] as keyof typeof systems,
        );
        const measured: Partial<Record<SystemId, LatencyRow>> = {};
        for (const system of order) {
          // One unrecorded render per worker: opens the keep-alive sockets the level needs.
          await runClosedLoop(level, level, systems[system]);
          const row = toRow(system, id, level, await runClosedLoop(level, requestsPerLevel, systems[system]));
          measured[system] = row;
          rows.push(row);
        }
        const line = (row: LatencyRow | undefined) =>
          row ? `p50 ${ms(row.summary.p50)}, ${row.throughputPerSec.toFixed(1)} req/s` : 'n/a';
        progress(
          `concurrency ${id} c=${level}: limit ${line(measured.limit)}; ` +
            `raw page per document ${line(measured['raw-page-per-doc'])}; quickjob ${line(measured['podpdf-quickjob'])}`,
        );
      }
    }
    return { status: 'done', rows, targets: [] };
  },
};
