import { setTimeout as delay } from 'node:timers/promises';
import { progress } from '../progress.ts';
import { round, summarize } from '../stats.ts';
import { startWebhookClock } from '../systems/webhook-receiver.ts';
import { makeTarget, type Scenario, type WarmSystems } from './types.ts';

/** How long a failing receiver takes to answer its 503: a receiver that is down, and slow about it. */
const FAILING_DELAY_MS = 1_000;
const POLL_MS = 100;

interface JobView {
  job_id: string;
  status: string;
  completed_at: string | null;
}

/**
 * Long jobs with half their webhook receivers failing against all of them answering: batches of the
 * same document alternate between the two, and each batch's render throughput is read from its jobs'
 * `completed_at` (the processor marks a job completed and hands its webhook to the webhook queue, so a
 * receiver can only slow rendering by taking the processor's time or CPU). The failing receiver
 * answers 503 after a second, so its deliveries are retried, then held back by its circuit breaker.
 */
export const webhooksScenario: Scenario = {
  id: 'webhooks',
  title: 'long-job throughput with half the webhook receivers failing',
  usesWarmSystems: true,
  run: async (ctx) => {
    const warm = ctx.warm as WarmSystems;
    const { batch, rounds } = ctx.plan.webhooks;
    const html = ctx.document('invoice').html;
    const ok = await startWebhookClock();
    const failing = await startWebhookClock({ status: 503, delayMs: FAILING_DELAY_MS });
    try {
      // The signing secret comes with the account's first webhook; each job then names its own.
      await warm.quickjob.call('PUT', '/accounts/me/webhook', { url: ok.url });
      /** Waits until the account has no queued or processing job left. */
      const drained = async () => {
        for (;;) {
          const list = await warm.quickjob.call('GET', '/jobs?limit=1');
          if (list.active_count === 0) return;
          await delay(POLL_MS);
        }
      };
      const runBatch = async (halfFailing: boolean) => {
        await drained();
        const started = Date.now();
        const ids = await Promise.all(
          Array.from({ length: batch }, async (_, i) => {
            const url = halfFailing && i % 2 === 1 ? failing.url : ok.url;
            const job = await warm.quickjob.call('POST', '/longjob', {
              input_type: 'html',
              html,
              webhook_url: url,
            });
            return String(job.job_id);
          }),
        );
        await drained();
        const list = await warm.quickjob.call('GET', `/jobs?limit=${batch}`);
        const mine = new Set(ids);
        const jobs = (list.jobs as JobView[]).filter((job) => mine.has(job.job_id));
        if (jobs.length !== batch || jobs.some((job) => job.status !== 'completed'))
          throw new Error(`webhooks: ${jobs.length} of ${batch} jobs listed, not all completed`);
        const last = Math.max(...jobs.map((job) => Date.parse(job.completed_at ?? '')));
        return (batch * 1000) / (last - started);
      };
      await runBatch(false); // warm-up: pages, sockets and code paths
      const allOk: number[] = [];
      const halfFailing: number[] = [];
      for (let i = 0; i < rounds; i += 1) {
        allOk.push(await runBatch(false));
        halfFailing.push(await runBatch(true));
      }
      const okMean = summarize(allOk).mean;
      const failingMean = summarize(halfFailing).mean;
      const ratio = failingMean / okMean;
      const basis =
        `${round(failingMean, 2)} jobs/s with half the receivers failing / ${round(okMean, 2)} with all ` +
        `answering (batches of ${batch}, ${rounds} each, alternating); the failing receiver took ` +
        `${failing.requests()} requests`;
      progress(`webhooks: ${basis}`);
      return {
        status: 'done',
        rows: [],
        targets: [
          makeTarget({
            id: 'webhooks-failing-receivers',
            description:
              'long-job render throughput with half the webhook receivers failing >= 0.95 x all answering',
            measured: ratio,
            threshold: 0.95,
            comparison: '>=',
            basis,
          }),
        ],
        details: {
          batch,
          rounds,
          failingDelayMs: FAILING_DELAY_MS,
          allOkJobsPerSec: allOk,
          halfFailingJobsPerSec: halfFailing,
          failingReceiverRequests: failing.requests(),
          okReceiverRequests: ok.requests(),
        },
        text: `webhooks: ${basis}`,
      };
    } finally {
      await ok.close();
      await failing.close();
    }
  },
};
