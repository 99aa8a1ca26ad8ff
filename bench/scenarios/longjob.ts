import { loadServiceDefinition } from '../../src/local/service-definition.ts';
import type { Scenario } from './types.ts';

/**
 * podpdf long jobs: submit → webhook received, and batch throughput against the limit rendering in
 * parallel at the same concurrency. Not measurable yet, so the run records it as skipped.
 *
 * When /longjob lands, this module is the one to fill in: `usesWarmSystems` gives it the running server
 * (ctx.warm.server, which will also run the queue worker) and the warm limit browser (ctx.warm.limit).
 * It should start a webhook receiver on 127.0.0.1, and return
 *   - rows with system 'podpdf-longjob' (latency = submit to webhook received, one row per document
 *     and concurrency, throughput = jobs / wall time of the batch), and
 *   - rows with system 'limit' at the same concurrencies (runClosedLoop from concurrency.ts), unless the
 *     concurrency scenario already measured them,
 *   - targets if the project sets any for long jobs.
 * The table, the chart and the JSON file pick the rows up with no other change.
 */
const longjobRoutePresent = (): boolean => {
  try {
    return loadServiceDefinition('local').functions.some((fn) =>
      fn.httpRoutes.some((route) => route.path.startsWith('/longjob')),
    );
  } catch {
    return false; // an unreadable serverless.yml is not this benchmark's problem to report
  }
};

export const longjobScenario: Scenario = {
  id: 'longjob',
  title: 'podpdf longjob: submit to webhook, batch throughput',
  usesWarmSystems: true,
  run: async () => ({
    status: 'skipped',
    reason: longjobRoutePresent()
      ? 'POST /longjob exists in serverless.yml but its benchmark scenario is not written yet (bench/scenarios/longjob.ts)'
      : 'podpdf has no long-job endpoint yet (no /longjob route in serverless.yml)',
    rows: [],
    targets: [],
  }),
};
