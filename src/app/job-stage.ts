import { log } from '../log.ts';
import { ports } from './ports.ts';

/**
 * How long a PDF upload runs before the job is marked `storing`. Most uploads end sooner (a few MB at
 * S3's tens of MB/s), and a poller every few seconds would not see the stage anyway: those cost no
 * write. Only an upload still running after this pays the one UpdateItem that shows it.
 */
export const STORING_STAGE_AFTER_MS = 1_000;

/**
 * Runs `upload` (the PDF's PUT) and, when it is still running after `afterMs`, marks the job
 * `storing` under the worker's claim. A failed mark is only logged: the stage is a hint to pollers.
 *
 * @example
 * const key = await whileStoring(job.job_id, token, () => ports().blobs.putPdf(job.job_id, bytes));
 */
export const whileStoring = async <T>(
  jobId: string,
  token: string,
  upload: () => Promise<T>,
  afterMs = STORING_STAGE_AFTER_MS,
): Promise<T> => {
  let marking: Promise<unknown> | undefined;
  const timer = setTimeout(() => {
    marking = ports()
      .jobs.markStoring(jobId, token)
      .catch((err: unknown) => log.warn('could not mark the job storing', { jobId, cause: err }));
  }, afterMs);
  try {
    return await upload();
  } finally {
    clearTimeout(timer);
    // Settled before the job is completed, so the mark never lands after it.
    await marking;
  }
};
