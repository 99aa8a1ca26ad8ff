import { parseServerTiming } from '../../src/util/timings.ts';
import type { DocumentId } from '../fixtures/documents.ts';
import { interleave, type Step } from '../interleave.ts';
import { ms, progress } from '../progress.ts';
import { round, summarize } from '../stats.ts';
import { quickjobBody } from '../systems/podpdf-quickjob.ts';
import type { Scenario, WarmSystems } from './types.ts';

/**
 * Where podpdf's time goes, from the spans podpdf itself reports (the quickjob answer's Server-Timing
 * header: auth, validate, page, load, print, count, record, total), next to the limit rendering the
 * same document in the same run. What the server's total leaves out of the client's wall time is the
 * HTTP hop and the local API Gateway bridge.
 */

interface Breakdown {
  limitP50Ms: number;
  pagePerDocumentP50Ms: number;
  /** Per kind of document (as sent, and with a script tag): wall time and span p50s. */
  podpdf: Record<
    'asSent' | 'withScript',
    { wallP50Ms: number; spansP50Ms: Record<string, number>; outsideP50Ms: number }
  >;
}

const p50 = (samples: number[]) => round(summarize(samples).p50, 2);

const profileDocument = async (warm: WarmSystems, html: string, iterations: number, settleMs: number) => {
  const bodies = { asSent: quickjobBody(html), withScript: quickjobBody(`${html}<script>void 0</script>`) };
  const spans = { asSent: new Map<string, number[]>(), withScript: new Map<string, number[]>() };
  const outside = { asSent: [] as number[], withScript: [] as number[] };
  const viaHttp = (kind: keyof typeof bodies): Step => ({
    name: kind === 'asSent' ? 'POST /quickjob' : 'POST /quickjob, with a script tag',
    run: async () => {
      const result = await warm.quickjob.render(bodies[kind]);
      const timing = parseServerTiming(result.serverTiming);
      for (const [name, value] of timing) spans[kind].set(name, [...(spans[kind].get(name) ?? []), value]);
      outside[kind].push(result.ms - (timing.get('total') ?? Number.NaN));
    },
  });
  const steps: Step[] = [
    { name: 'limit', run: () => warm.limit.render(html) },
    { name: 'page per document', run: () => warm.limit.renderInOwnPage(html) },
    viaHttp('asSent'),
    viaHttp('withScript'),
  ];
  const samples = await interleave(steps, iterations, settleMs);
  // The warm-up run of each step is in the span maps but not in the wall samples: drop it.
  for (const kind of ['asSent', 'withScript'] as const) {
    for (const [name, values] of spans[kind]) spans[kind].set(name, values.slice(1));
    outside[kind] = outside[kind].slice(1);
  }
  const summary = (kind: 'asSent' | 'withScript', step: string) => ({
    wallP50Ms: p50(samples.get(step) ?? []),
    spansP50Ms: Object.fromEntries([...spans[kind]].map(([name, values]) => [name, p50(values)])),
    outsideP50Ms: p50(outside[kind]),
  });
  return {
    limitP50Ms: p50(samples.get('limit') ?? []),
    pagePerDocumentP50Ms: p50(samples.get('page per document') ?? []),
    podpdf: {
      asSent: summary('asSent', 'POST /quickjob'),
      withScript: summary('withScript', 'POST /quickjob, with a script tag'),
    },
  } satisfies Breakdown;
};

const formatBreakdown = (id: string, b: Breakdown): string => {
  const line = (label: string, kind: 'asSent' | 'withScript') => {
    const { wallP50Ms, spansP50Ms, outsideP50Ms } = b.podpdf[kind];
    const spans = Object.entries(spansP50Ms)
      .map(([name, value]) => `${name} ${value.toFixed(1)}`)
      .join(', ');
    return [
      `    ${label.padEnd(36)} p50 ${ms(wallP50Ms).padStart(9)}  (${wallP50Ms - b.limitP50Ms >= 0 ? '+' : ''}${(wallP50Ms - b.limitP50Ms).toFixed(1)} ms over the limit)`,
      `      podpdf's spans, p50 ms: ${spans}`,
      `      outside the handler (HTTP hop, local API bridge): ${ms(outsideP50Ms)}`,
    ].join('\n');
  };
  return [
    `  ${id}:`,
    `    ${'limit (used page: setContent, pdf)'.padEnd(36)} p50 ${ms(b.limitP50Ms).padStart(9)}`,
    line('POST /quickjob over HTTP', 'asSent'),
    line('the same with a script tag', 'withScript'),
    `    ${'raw, a page per document'.padEnd(36)} p50 ${ms(b.pagePerDocumentP50Ms).padStart(9)}`,
  ].join('\n');
};

export const overheadScenario: Scenario = {
  id: 'overhead',
  title: "podpdf's overhead broken down, from its own Server-Timing spans",
  usesWarmSystems: true,
  run: async (ctx) => {
    const warm = ctx.warm as WarmSystems;
    const { iterations, documents } = ctx.plan.overhead;
    const breakdown: Record<string, Breakdown> = {};
    for (const id of documents as DocumentId[]) {
      progress(`overhead ${id}: ${iterations} iterations of each step`);
      const result = await profileDocument(warm, ctx.document(id).html, iterations, ctx.plan.settleMs);
      breakdown[id] = result;
      progress(
        `overhead ${id}: limit ${ms(result.limitP50Ms)} -> HTTP ${ms(result.podpdf.asSent.wallP50Ms)}`,
      );
    }
    const text = [
      "Where podpdf's time goes (p50 of each step, steps interleaved; spans from the Server-Timing header):",
      ...Object.entries(breakdown).map(([id, result]) => formatBreakdown(id, result)),
    ].join('\n');
    return { status: 'done', rows: [], targets: [], text, details: { iterations, breakdown } };
  },
};
