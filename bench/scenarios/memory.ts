import { descendants, treeMemory } from '../proc.ts';
import { progress } from '../progress.ts';
import { median, round } from '../stats.ts';
import { createQuickjobClient, quickjobBody } from '../systems/podpdf-quickjob.ts';
import { startPodpdfServer } from '../systems/podpdf-server.ts';
import { makeTarget, type Scenario, type TargetResult } from './types.ts';

const MB = 1024 * 1024;

interface MemorySample {
  render: number;
  serverRssBytes: number;
  chromiumRssBytes: number;
  chromiumPssBytes: number;
  chromiumProcesses: number;
}

/** Renders before the first recorded one: the first renders grow caches and JIT code, which is no leak. */
const WARMUP_RENDERS = 10;

/**
 * Memory over many renders on a podpdf server of its own (a server that just ran the concurrency phase
 * would start high and shrink, hiding growth). After each render, RSS of the server process and the
 * summed RSS of every Chromium process under it are read from /proc. The median of the last window is
 * compared with the median of the first: a leak shows as steady growth between the two.
 */
export const memoryScenario: Scenario = {
  id: 'memory',
  title: 'memory of the podpdf server and its Chromium over many renders',
  usesWarmSystems: false,
  run: async (ctx) => {
    const { renders, window, documents } = ctx.plan.memory;
    const bodies = documents.map((id) => quickjobBody(ctx.document(id).html));
    // The emulators run in a process of their own: the emulated table's growth with every render would
    // otherwise count as the server's (on AWS the table is not in the process at all).
    const server = await startPodpdfServer({ separateEmulators: true });
    const client = createQuickjobClient(server.url, server.apiKey);
    const samples: MemorySample[] = [];
    try {
      for (let i = 0; i < WARMUP_RENDERS; i += 1) await client.render(bodies[i % bodies.length] as Buffer);
      progress(`memory: ${renders} renders alternating ${documents.join(', ')}, server pid ${server.pid}`);
      for (let i = 0; i < renders; i += 1) {
        // Documents alternate in a fixed order, so both windows hold the same mix.
        await client.render(bodies[i % bodies.length] as Buffer);
        const memory = treeMemory(server.pid);
        samples.push({
          render: i + 1,
          serverRssBytes: memory.rssBytes,
          chromiumRssBytes: memory.childrenRssBytes,
          chromiumPssBytes: memory.childrenPssBytes,
          chromiumProcesses: memory.childrenCount,
        });
        if ((i + 1) % 100 === 0) progress(`memory: ${i + 1}/${renders} renders`);
      }
      if (descendants(server.pid).length === 0)
        throw new Error('podpdf server has no Chromium process under it');
    } finally {
      client.close();
      await server.stop();
    }

    const first = samples.slice(0, window);
    const last = samples.slice(-window);
    const windowMedian = (list: MemorySample[], field: keyof MemorySample) =>
      median(list.map((s) => s[field]));
    const compare = (field: 'serverRssBytes' | 'chromiumRssBytes' | 'chromiumPssBytes') => {
      const firstMedian = windowMedian(first, field);
      const lastMedian = windowMedian(last, field);
      return {
        firstMedianMb: round(firstMedian / MB),
        lastMedianMb: round(lastMedian / MB),
        ratio: lastMedian / firstMedian,
      };
    };
    const serverRss = compare('serverRssBytes');
    const chromiumRss = compare('chromiumRssBytes');
    const chromiumPss = compare('chromiumPssBytes');
    const target = (id: string, what: string, c: ReturnType<typeof compare>): TargetResult =>
      makeTarget({
        id,
        description: `${what} RSS, median of last ${window} renders within 10% of first ${window}`,
        measured: c.ratio,
        threshold: 1.1,
        comparison: '<=',
        basis: `${c.lastMedianMb.toFixed(1)} MB / ${c.firstMedianMb.toFixed(1)} MB`,
      });
    const text = [
      `Memory over ${renders} renders (${documents.join(' / ')} alternating, emulators in their own process), median of first vs last ${window}:`,
      `  server process RSS     ${serverRss.firstMedianMb.toFixed(1)} MB -> ${serverRss.lastMedianMb.toFixed(1)} MB (x${serverRss.ratio.toFixed(3)})`,
      `  Chromium tree RSS sum  ${chromiumRss.firstMedianMb.toFixed(1)} MB -> ${chromiumRss.lastMedianMb.toFixed(1)} MB (x${chromiumRss.ratio.toFixed(3)})`,
      `  Chromium tree PSS sum  ${chromiumPss.firstMedianMb.toFixed(1)} MB -> ${chromiumPss.lastMedianMb.toFixed(1)} MB (x${chromiumPss.ratio.toFixed(3)})`,
    ].join('\n');
    return {
      status: 'done',
      rows: [],
      targets: [
        target('memory-server-rss', 'server process', serverRss),
        target('memory-chromium-rss', 'Chromium tree', chromiumRss),
      ],
      text,
      details: {
        renders,
        window,
        documents,
        warmupRenders: WARMUP_RENDERS,
        server: serverRss,
        chromium: chromiumRss,
        chromiumPss,
        samples: samples.map((s) => ({
          render: s.render,
          serverRssMb: round(s.serverRssBytes / MB),
          chromiumRssMb: round(s.chromiumRssBytes / MB),
          chromiumPssMb: round(s.chromiumPssBytes / MB),
          chromiumProcesses: s.chromiumProcesses,
        })),
      },
    };
  },
};
