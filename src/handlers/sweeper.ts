import type { Context, ScheduledEvent } from 'aws-lambda';
import { type SweepReport, sweepJobs } from '../app/sweeper.ts';

/** Scheduled (EventBridge): requeues long jobs whose message never went out, gives up on stalled ones. */
export const handler = (_event: ScheduledEvent, context: Context): Promise<SweepReport> =>
  sweepJobs(Date.now() + context.getRemainingTimeInMillis());
