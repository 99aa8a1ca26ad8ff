import type { DocumentId } from '../fixtures/documents.ts';
import { settle } from '../plan.ts';
import { ms, progress } from '../progress.ts';
import { round, summarize } from '../stats.ts';
import { createQuickjobClient } from '../systems/podpdf-quickjob.ts';
import { startPodpdfServer } from '../systems/podpdf-server.ts';
import { makeTarget, type Scenario, type TargetResult, type WarmSystems } from './types.ts';

/**
 * This checkout against another (`--baseline DIR`, e.g. the commit before a change), both run as
 * `npm start` with emulators apart, quick jobs interleaved one by one: the before/after of a change
 * in one run, on one machine state. Target: this one's p50 within 5% of the baseline's.
 */
export const abScenario: Scenario = {
  id: 'ab',
  title: 'this checkout against a baseline checkout, quick jobs interleaved',
  usesWarmSystems: true,
  run: async (ctx) => {
    const baselineDir = ctx.plan.baseline;
    if (!baselineDir) return { status: 'skipped', reason: 'no --baseline DIR given', rows: [], targets: [] };
    const warm = ctx.warm as WarmSystems;
    const baseline = await startPodpdfServer({ separateEmulators: true, checkout: baselineDir });
    const client = createQuickjobClient(baseline.url, baseline.apiKey);
    const targets: TargetResult[] = [];
    const details: Record<string, unknown> = { baseline: baselineDir };
    try {
      for (const id of ctx.plan.ab.documents as DocumentId[]) {
        const body = warm.quickjobBodies.get(id) as Buffer;
        const current: number[] = [];
        const before: number[] = [];
        for (let i = 0; i < 5; i += 1) {
          await warm.quickjob.render(body);
          await client.render(body);
        }
        for (let i = 0; i < ctx.plan.ab.rounds; i += 1) {
          // Alternate which goes first, so neither always follows the other's quiet.
          const order = i % 2 === 0 ? [warm.quickjob, client] : [client, warm.quickjob];
          for (const system of order) {
            const { ms: elapsed } = await system.render(body);
            (system === client ? before : current).push(elapsed);
            await settle(ctx.plan.settleMs);
          }
        }
        const now = summarize(current).p50;
        const then = summarize(before).p50;
        progress(
          `ab ${id}: this checkout p50 ${ms(now)}, baseline ${ms(then)} (x${(now / then).toFixed(3)})`,
        );
        details[id] = { p50Ms: round(now), baselineP50Ms: round(then), samples: { current, before } };
        targets.push(
          makeTarget({
            id: `ab-${id}`,
            description: `quickjob p50 within 5% of the baseline checkout (${id})`,
            measured: now / then,
            threshold: 1.05,
            comparison: '<=',
            basis: `${ms(now)} / ${ms(then)}`,
          }),
        );
      }
    } finally {
      client.close();
      await baseline.stop();
    }
    return { status: 'done', rows: [], targets, details };
  },
};
