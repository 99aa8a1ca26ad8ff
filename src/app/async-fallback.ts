import { ErrorCode, PodpdfError } from '../domain/errors.ts';
import type { RenderEstimate } from '../domain/estimate.ts';
import type { QuickjobRequest } from '../domain/render-request.ts';
import type { Caller } from './auth.ts';
import { type SubmittedJob, submitLongjob } from './longjob-submit.ts';
import { assertFitsQuickjob } from './quickjob.ts';

/**
 * The pre-flight of a quick job whose client sent `Prefer: respond-async`: a document the estimate
 * finds too complex is not refused (422) but marked to continue as a long job. Without the preference
 * this is `assertFitsQuickjob`.
 */
export const preflightQuickjob = (
  request: Pick<QuickjobRequest, 'input'>,
  respondAsync: boolean,
): { estimate: RenderEstimate | undefined; continueAsLongjob: boolean } => {
  try {
    return { estimate: assertFitsQuickjob(request.input), continueAsLongjob: false };
  } catch (err) {
    if (respondAsync && err instanceof PodpdfError && err.code === ErrorCode.QUICKJOB_TOO_COMPLEX)
      return { estimate: undefined, continueAsLongjob: true };
    throw err;
  }
};

/**
 * Submits a quick job's request as a long job, through the same use case as POST /longjob: the input
 * stored, a `queued` row, a message, the active-job reservation and the Idempotency-Key.
 *
 * The request was already admitted as one PDF in `period`; the long job is that PDF, not another
 * (submitLongjob never counts one, and gives this one back when no job is accepted or a key replays
 * an earlier job). A quick job's body has no `webhook_url`: the account's default webhook announces
 * the job, as for a /longjob sent without one. The long job renders from the start under the long-job
 * limits: a page half-loaded in the quick function cannot move to the processor.
 */
export const continueAsLongjob = (
  caller: Caller,
  request: QuickjobRequest,
  idempotencyKey: string | undefined,
  period: string,
): Promise<SubmittedJob> => submitLongjob(caller, { ...request, dedupe: false }, idempotencyKey, period);
