import { randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { lambdaContext } from './lambda-context.ts';

/**
 * Does locally what an EventBridge schedule rule does on AWS: invokes the function every `everyMs`
 * with a Scheduled Event and the function's timeout. `runNow` invokes it at once (tests and
 * developers need not wait for the rate). A tick that comes while a run is still going is skipped,
 * where AWS would start a second, overlapping invocation: the handlers must be safe either way.
 */

export type ScheduledHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

export interface ScheduleOptions {
  functionName: string;
  region: string;
  handler: ScheduledHandler;
  /** The rule's rate, ms. */
  everyMs: number;
  timeoutSeconds: number;
  /** Start the timer; without it only `runNow` invokes the function. @default true */
  start?: boolean;
}

export interface Schedule {
  /** Invokes the function now; resolves with what it returned, rejects with what it threw. */
  runNow(): Promise<unknown>;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 3_000;

const scheduledEvent = (options: ScheduleOptions): ScheduledEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: new Date().toISOString(),
  region: options.region,
  resources: [`arn:aws:events:${options.region}:000000000000:rule/${options.functionName}`],
  detail: {},
});

/** One invocation, bounded by the function's timeout like Lambda's. */
const invoke = async (options: ScheduleOptions): Promise<unknown> => {
  const timeoutMs = options.timeoutSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${options.functionName} timed out after ${options.timeoutSeconds} s`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      options.handler(
        scheduledEvent(options),
        lambdaContext(options.functionName, Date.now() + timeoutMs, options.region),
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
};

export const startSchedule = (options: ScheduleOptions): Schedule => {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    if (running) return;
    running = invoke(options)
      .catch((err: unknown) => console.error(`[local] scheduled ${options.functionName} failed`, err))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = options.start === false ? undefined : setInterval(tick, options.everyMs);
  // The schedule alone does not keep the process alive, as the pollers and the server do.
  timer?.unref();
  return {
    runNow: () => invoke(options),
    stop: async () => {
      clearInterval(timer);
      if (running)
        await Promise.race([running, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS))]);
    },
  };
};
