import { MAX_PDF_PAGES } from '../../src/domain/limits.ts';
import type { BenchDocument, DocumentId } from '../fixtures/documents.ts';
import { countPages } from '../pdf.ts';
import { settle } from '../plan.ts';
import { ms, progress } from '../progress.ts';
import { summarize } from '../stats.ts';
import { renderWithFreshBrowser } from '../systems/peer.ts';
import {
  type LatencyRow,
  makeTarget,
  type Scenario,
  type ScenarioContext,
  type SystemId,
  type TargetResult,
  type WarmSystems,
} from './types.ts';

/** What one render reported back. */
interface Rendered {
  ms: number;
  pages: number;
  bytes: number;
}

type Renderer = (doc: BenchDocument) => Promise<Rendered>;

type SequentialSystem = 'limit' | 'raw-page-per-doc' | 'peer' | 'podpdf-quickjob';

const renderers = (ctx: ScenarioContext, warm: WarmSystems): Record<SequentialSystem, Renderer> => {
  // Baseline PDFs are counted once per document (countPages is slow enough to matter, so never timed).
  const counted = new Map<string, number>();
  const pagesOf = async (key: string, pdf: Uint8Array) => {
    if (!counted.has(key)) counted.set(key, await countPages(pdf));
    return counted.get(key) as number;
  };
  return {
    limit: async (doc) => {
      const { ms: elapsed, pdf } = await warm.limit.render(doc.html);
      return { ms: elapsed, pages: await pagesOf(`limit:${doc.id}`, pdf), bytes: pdf.byteLength };
    },
    'raw-page-per-doc': async (doc) => {
      const { ms: elapsed, pdf } = await warm.limit.renderInOwnPage(doc.html);
      return { ms: elapsed, pages: await pagesOf(`limit:${doc.id}`, pdf), bytes: pdf.byteLength };
    },
    peer: async (doc) => {
      const { ms: elapsed, pdf } = await renderWithFreshBrowser(ctx.chromium, doc.html);
      return { ms: elapsed, pages: await pagesOf(`peer:${doc.id}`, pdf), bytes: pdf.byteLength };
    },
    'podpdf-quickjob': async (doc) => {
      const result = await warm.quickjob.render(warm.quickjobBodies.get(doc.id) as Buffer);
      return { ms: result.ms, pages: result.pages, bytes: result.bytes };
    },
  };
};

/** podpdf prints at most MAX_PDF_PAGES; the baselines print everything. Anything else is a broken fixture. */
const checkPages = (system: SystemId, doc: BenchDocument, pages: number): void => {
  const expected = system === 'podpdf-quickjob' ? Math.min(doc.pages, MAX_PDF_PAGES) : doc.pages;
  if (pages !== expected) {
    throw new Error(`${system} printed ${pages} pages of ${doc.file}, expected ${expected}`);
  }
};

/** The documents the latency promises are about: everyday sizes, where podpdf's overhead shows most. */
const TARGET_DOCUMENTS: DocumentId[] = ['invoice', 'report-10'];

/** Rotates the order systems render in, so none always goes first (or always follows a browser launch). */
const rotate = <T>(items: readonly T[], by: number): T[] =>
  items.map((_, i) => items[(i + by) % items.length] as T);

const measureDocument = async (
  ctx: ScenarioContext,
  warm: WarmSystems,
  id: DocumentId,
): Promise<LatencyRow[]> => {
  const doc = ctx.document(id);
  const render = renderers(ctx, warm);
  const { warmupRounds } = ctx.plan.latency;
  const rounds = ctx.plan.latency.rounds[id];
  const peerRounds = Math.min(rounds, ctx.plan.latency.peerRounds[id]);
  // The page-per-document baseline explains the gap to the limit on the documents the targets are about.
  const withPagePerDoc = TARGET_DOCUMENTS.includes(id);
  const samples: Partial<Record<SequentialSystem, Rendered[]>> = {
    limit: [],
    ...(withPagePerDoc ? { 'raw-page-per-doc': [] } : {}),
    peer: [],
    'podpdf-quickjob': [],
  };

  progress(`latency ${id}: ${warmupRounds} warm-up + ${rounds} rounds (peer in ${peerRounds})`);
  const warmSystems: SequentialSystem[] = withPagePerDoc
    ? ['limit', 'raw-page-per-doc', 'podpdf-quickjob']
    : ['limit', 'podpdf-quickjob'];
  for (let round = 0; round < warmupRounds; round += 1) {
    for (const system of warmSystems) checkPages(system, doc, (await render[system](doc)).pages);
  }
  checkPages('peer', doc, (await render.peer(doc)).pages);

  for (let round = 0; round < rounds; round += 1) {
    const systems: SequentialSystem[] = round < peerRounds ? [...warmSystems, 'peer'] : warmSystems;
    for (const system of rotate(systems, round)) {
      samples[system]?.push(await render[system](doc));
      await settle(ctx.plan.settleMs);
    }
  }

  const rows = (Object.keys(samples) as SequentialSystem[]).map((system): LatencyRow => {
    const list = samples[system] ?? [];
    const samplesMs = list.map((s) => s.ms);
    const summary = summarize(samplesMs);
    return {
      system,
      document: id,
      concurrency: 1,
      summary,
      throughputPerSec: 1000 / summary.mean,
      pages: list[0]?.pages ?? 0,
      pdfBytes: list[0]?.bytes ?? 0,
      samplesMs,
    };
  });
  const p50 = (system: SystemId) => rows.find((row) => row.system === system)?.summary.p50 ?? Number.NaN;
  progress(
    `latency ${id}: p50 limit ${ms(p50('limit'))}, quickjob ${ms(p50('podpdf-quickjob'))}, peer ${ms(p50('peer'))}`,
  );
  return rows;
};

const evaluateTargets = (rows: LatencyRow[]): TargetResult[] => {
  const targets: TargetResult[] = [];
  const find = (system: SystemId, document: DocumentId) =>
    rows.find((row) => row.system === system && row.document === document)?.summary;
  for (const document of TARGET_DOCUMENTS) {
    const quickjob = find('podpdf-quickjob', document);
    const limit = find('limit', document);
    const peer = find('peer', document);
    const pagePerDoc = find('raw-page-per-doc', document);
    if (!quickjob || !limit || !peer) continue;
    // What isolating each document in a page of its own costs, measured alone on the same documents.
    const isolation = pagePerDoc
      ? `; raw with a page per document ${ms(pagePerDoc.p50)} (${(quickjob.p50 / pagePerDoc.p50).toFixed(2)}x)`
      : '';
    targets.push(
      makeTarget({
        id: `quickjob-p50-vs-limit:${document}`,
        description: `quickjob sequential p50 <= 1.15x limit p50 (${document})`,
        measured: quickjob.p50 / limit.p50,
        threshold: 1.15,
        comparison: '<=',
        basis: `quickjob ${ms(quickjob.p50)} / limit ${ms(limit.p50)}${isolation}`,
      }),
      makeTarget({
        id: `quickjob-p99-vs-limit:${document}`,
        description: `quickjob sequential p99 <= 1.5x limit p99 (${document}, n=${quickjob.n})`,
        measured: quickjob.p99 / limit.p99,
        threshold: 1.5,
        comparison: '<=',
        basis: `quickjob ${ms(quickjob.p99)} / limit ${ms(limit.p99)}`,
      }),
      makeTarget({
        id: `quickjob-vs-peer-p50:${document}`,
        // The limit's own speed-up over the peer is what any server on this Chromium can reach.
        description: `quickjob's speed-up over the peer >= 0.9x the limit's own, at p50 (${document})`,
        measured: peer.p50 / quickjob.p50 / (peer.p50 / limit.p50),
        threshold: 0.9,
        comparison: '>=',
        basis: `quickjob ${(peer.p50 / quickjob.p50).toFixed(2)}x the peer, the limit ${(peer.p50 / limit.p50).toFixed(2)}x`,
      }),
    );
  }
  return targets;
};

/**
 * Sequential latency: per document, round after round, each system renders once (the peer in the first
 * rounds only), in rotating order, so slow drift of the machine touches every system alike.
 */
export const latencyScenario: Scenario = {
  id: 'latency',
  title: 'sequential latency: limit vs peer vs podpdf quickjob',
  usesWarmSystems: true,
  run: async (ctx) => {
    const warm = ctx.warm as WarmSystems;
    const rows: LatencyRow[] = [];
    for (const id of ctx.plan.documents) rows.push(...(await measureDocument(ctx, warm, id)));
    return { status: 'done', rows, targets: evaluateTargets(rows) };
  },
};
