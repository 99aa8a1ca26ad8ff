import type { JobRecord } from '../domain/job.ts';
import { log } from '../log.ts';
import { metric } from '../metrics.ts';
import { ports } from './ports.ts';

/**
 * What follows a long job becoming `failed`, whoever failed it (the processor, the dead-letter
 * handler, the sweeper): its place among the account's active jobs is given back, and the outcome is
 * counted and logged. Its webhook is the caller's to hand off.
 */
export const afterLongjobFailed = async (failed: JobRecord): Promise<void> => {
  await ports().usage.releaseActiveJob(failed.owner);
  metric('JobOutcomes', 1, { job_type: 'long', outcome: failed.error_code ?? 'failed' });
  log.info('job', {
    job_id: failed.job_id,
    account_id: failed.owner,
    status: failed.status,
    error_code: failed.error_code,
  });
};
