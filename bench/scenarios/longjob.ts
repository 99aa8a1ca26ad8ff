import { availableParallelism } from 'node:os';
import type { DocumentId } from '../fixtures/documents.ts';
import { settle } from '../plan.ts';
import { processCpuMs, treeCpuMs } from '../proc.ts';
import { ms, progress } from '../progress.ts';
import { round, summarize } from '../stats.ts';
import { startWebhookClock, type WebhookClock } from '../systems/webhook-receiver.ts';
import { runClosedLoop, toRow } from './concurrency.ts';
import { type LatencyRow, makeTarget, type Scenario, type TargetResult, type WarmSystems } from './types.ts';

/**
 * How many long jobs the local stack renders at once: the processor's SQS poller runs four loops
 * (src/local/sqs-poller.ts) and each takes batches of up to 5 messages (serverless.yml), processed
 * concurrently. The limit is measured at the same concurrency for the throughput comparison.
 */
const LOCAL_PROCESSOR_CONCURRENCY = 4 * 5;

/** CPU of this process (the benchmark's client side) since `before`, ms. */
const cpuMsSince = (before: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};

/** Submit one job and wait for its webhook; ms from sending the request to the webhook's arrival. */
const submitAndWait = async (warm: WarmSystems, clock: WebhookClock, html: string) => {
  const start = performance.now();
  const { job_id: jobId } = await warm.quickjob.call('POST', '/longjob', { input_type: 'html', html });
  const { at, status } = await clock.arrival(String(jobId));
  if (status !== 'completed') throw new Error(`long job ${jobId} ended ${status}`);
  return at - start;
};

/**
 * podpdf long jobs against the same server as the quick jobs (its local SQS queue, processor and
 * S3): submit → signed webhook received, one job at a time next to the limit rendering the same
 * document (the render itself), then a batch submitted at once against the limit rendering the same
 * number of documents at the processor's concurrency. Both sides get a warm-up at that concurrency
 * first; the batch is large enough (200 in the full run) that filling and draining the queue is a
 * small part of it, since submit → webhook latency is measured on its own above.
 */
export const longjobScenario: Scenario = {
  id: 'longjob',
  title: 'podpdf longjob: submit to webhook, batch throughput',
  usesWarmSystems: true,
  run: async (ctx) => {
    const warm = ctx.warm as WarmSystems;
    const plan = ctx.plan.longjob;
    const clock = await startWebhookClock();
    const rows: LatencyRow[] = [];
    const targets: TargetResult[] = [];
    const details: Record<string, unknown> = { processorConcurrency: LOCAL_PROCESSOR_CONCURRENCY };
    try {
      await warm.quickjob.call('PUT', '/accounts/me/webhook', { url: clock.url });
      for (const id of plan.documents as DocumentId[]) {
        const doc = ctx.document(id);
        await submitAndWait(warm, clock, doc.html); // warm-up: queue poller, S3 and webhook sockets
        const longjob: number[] = [];
        const limit: number[] = [];
        for (let i = 0; i < plan.sequential; i += 1) {
          longjob.push(await submitAndWait(warm, clock, doc.html));
          await settle(ctx.plan.settleMs);
          limit.push((await warm.limit.render(doc.html)).ms);
          await settle(ctx.plan.settleMs);
        }
        const longSummary = summarize(longjob);
        const limitSummary = summarize(limit);
        rows.push({
          system: 'podpdf-longjob',
          document: id,
          concurrency: 1,
          summary: longSummary,
          throughputPerSec: 1000 / longSummary.mean,
          pages: doc.pages,
          pdfBytes: 0,
          samplesMs: longjob,
        });
        const overhead = longSummary.p50 - limitSummary.p50;
        progress(
          `longjob ${id}: submit→webhook p50 ${ms(longSummary.p50)}, render (limit) p50 ${ms(limitSummary.p50)}`,
        );
        targets.push(
          makeTarget({
            id: `longjob-overhead-${id}`,
            description: `longjob submit->webhook overhead over the render <= 150 ms p50 (${id})`,
            measured: overhead,
            threshold: 150,
            comparison: '<=',
            basis: `longjob ${ms(longSummary.p50)} - limit ${ms(limitSummary.p50)}`,
          }),
        );
        details[`${id}Sequential`] = { longjobP50Ms: longSummary.p50, limitP50Ms: limitSummary.p50 };
      }

      const [first] = plan.documents as DocumentId[];
      const doc = ctx.document(first ?? 'invoice');
      const concurrency = Math.min(plan.batch, LOCAL_PROCESSOR_CONCURRENCY);
      const submitBatch = (count: number) =>
        Promise.all(
          Array.from({ length: count }, async () => {
            const { job_id: jobId } = await warm.quickjob.call('POST', '/longjob', {
              input_type: 'html',
              html: doc.html,
            });
            return String(jobId);
          }),
        );
      // Warm-up at full concurrency, as much as the limit gets below: the pages that many renders in
      // flight need are opened here, and the long-job code paths are compiled, not inside the batch.
      for (let done = 0; done < plan.warmup; done += concurrency)
        await Promise.all((await submitBatch(concurrency)).map((jobId) => clock.arrival(jobId)));
      await settle(ctx.plan.settleMs);
      // CPU of the batch, split between the server process (handlers, AWS SDK clients, webhooks), its
      // Chromium and the emulators' process: on a small machine the sum, not the render, bounds throughput.
      const serverPid = warm.server.pid;
      const emulatorsPid = warm.server.emulatorsPid;
      const emulatorsCpu = () => (emulatorsPid === undefined ? Number.NaN : processCpuMs(emulatorsPid));
      const serverCpuBefore = processCpuMs(serverPid);
      const serverTreeCpuBefore = treeCpuMs(serverPid);
      const emulatorsCpuBefore = emulatorsCpu();
      const podpdfClientCpuBefore = process.cpuUsage();
      const batchStart = performance.now();
      const jobIds = await submitBatch(plan.batch);
      const arrivals = await Promise.all(jobIds.map((jobId) => clock.arrival(jobId)));
      const longWall = Math.max(...arrivals.map((a) => a.at)) - batchStart;
      const serverCpuMs = processCpuMs(serverPid) - serverCpuBefore;
      const serverChromiumCpuMs = treeCpuMs(serverPid) - serverTreeCpuBefore - serverCpuMs;
      const emulatorsCpuMs = emulatorsCpu() - emulatorsCpuBefore;
      const podpdfClientCpuMs = cpuMsSince(podpdfClientCpuBefore);
      const latencies = arrivals.map((a) => a.at - batchStart);
      const renderRaw = async () => {
        const { ms: elapsed, pdf } = await warm.limit.render(doc.html);
        return { ms: elapsed, pages: doc.pages, bytes: pdf.byteLength };
      };
      await runClosedLoop(concurrency, Math.max(concurrency, plan.warmup), renderRaw); // opens its pages
      const limitPid = warm.limit.pid;
      const limitCpuBefore = limitPid === undefined ? Number.NaN : treeCpuMs(limitPid);
      const clientCpuBefore = process.cpuUsage();
      const raw = await runClosedLoop(concurrency, plan.batch, renderRaw);
      const limitChromiumCpuMs = limitPid === undefined ? Number.NaN : treeCpuMs(limitPid) - limitCpuBefore;
      const limitClientCpuMs = cpuMsSince(clientCpuBefore);
      const perJob = (cpuMs: number) => round(cpuMs / plan.batch, 1);
      const cpuPerJob = {
        podpdfServerMs: perJob(serverCpuMs),
        podpdfChromiumMs: perJob(serverChromiumCpuMs),
        emulatorsMs: perJob(emulatorsCpuMs),
        podpdfClientMs: perJob(podpdfClientCpuMs),
        limitChromiumMs: perJob(limitChromiumCpuMs),
        limitClientMs: perJob(limitClientCpuMs),
      };
      const pagePerDoc = await runClosedLoop(concurrency, plan.batch, async () => {
        const { ms: elapsed, pdf } = await warm.limit.renderInOwnPage(doc.html);
        return { ms: elapsed, pages: doc.pages, bytes: pdf.byteLength };
      });
      const pagePerDocThroughput = (plan.batch * 1000) / pagePerDoc.wallMs;
      const longThroughput = (plan.batch * 1000) / longWall;
      const rawThroughput = (plan.batch * 1000) / raw.wallMs;
      rows.push(
        {
          system: 'podpdf-longjob',
          document: doc.id,
          concurrency,
          summary: summarize(latencies),
          throughputPerSec: longThroughput,
          pages: doc.pages,
          pdfBytes: 0,
          samplesMs: latencies,
        },
        toRow('limit', doc.id, concurrency, raw),
        toRow('raw-page-per-doc', doc.id, concurrency, pagePerDoc),
      );
      const podpdfCpu =
        cpuPerJob.podpdfServerMs +
        cpuPerJob.podpdfChromiumMs +
        cpuPerJob.emulatorsMs +
        cpuPerJob.podpdfClientMs;
      const limitCpu = cpuPerJob.limitChromiumMs + cpuPerJob.limitClientMs;
      const cores = availableParallelism();
      const cpuText =
        `CPU per job: podpdf server ${ms(cpuPerJob.podpdfServerMs)} + its Chromium ` +
        `${ms(cpuPerJob.podpdfChromiumMs)} + emulators ${ms(cpuPerJob.emulatorsMs)} + client ${ms(cpuPerJob.podpdfClientMs)}; ` +
        `limit: Chromium ${ms(cpuPerJob.limitChromiumMs)} + client ` +
        `${ms(cpuPerJob.limitClientMs)}; ${cores} cores cap podpdf at ${((cores * 1000) / podpdfCpu).toFixed(1)} ` +
        `jobs/s and the limit at ${((cores * 1000) / limitCpu).toFixed(1)} renders/s`;
      progress(cpuText);
      progress(
        `longjob batch of ${plan.batch} ${doc.id}: ${longThroughput.toFixed(1)} jobs/s; ` +
          `limit at concurrency ${concurrency}: ${rawThroughput.toFixed(1)} renders/s, ` +
          `with a page per document ${pagePerDocThroughput.toFixed(1)}`,
      );
      // podpdf's own CPU on top of the render: its server process, less what the limit's client spends
      // driving the same render (CDP messages, the PDF's bytes). Chromium and the emulators are not podpdf's.
      const ownCpuPerJob = cpuPerJob.podpdfServerMs - cpuPerJob.limitClientMs;
      const endToEnd =
        `end to end ${longThroughput.toFixed(2)} jobs/s / limit ${rawThroughput.toFixed(2)} renders/s = ` +
        `${(longThroughput / rawThroughput).toFixed(2)}x; a page per document ${pagePerDocThroughput.toFixed(2)}/s`;
      progress(`longjob: podpdf server CPU ${ms(ownCpuPerJob)} per job on top of the render; ${endToEnd}`);
      targets.push(
        makeTarget({
          id: 'longjob-server-cpu',
          description: "podpdf's own server CPU per long job on top of the render <= 10 ms (emulators apart)",
          measured: ownCpuPerJob,
          threshold: 10,
          comparison: '<=',
          basis: `server ${ms(cpuPerJob.podpdfServerMs)} - limit client ${ms(cpuPerJob.limitClientMs)}; ${endToEnd}; ${cpuText}`,
        }),
      );
      details.batch = {
        jobs: plan.batch,
        concurrency,
        longjobWallMs: longWall,
        limitWallMs: raw.wallMs,
        pagePerDocWallMs: pagePerDoc.wallMs,
        cpuPerJob,
        ownCpuPerJobMs: ownCpuPerJob,
        throughputRatio: longThroughput / rawThroughput,
      };
      return { status: 'done', rows, targets, details };
    } finally {
      await clock.close();
    }
  },
};
