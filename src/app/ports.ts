import { setTimeout as sleep } from 'node:timers/promises';
import { recordEvent } from '../adapters/analytics-table.ts';
import { deleteIdempotencyRecord, putIdempotencyRecord } from '../adapters/idempotency-table.ts';
import {
  claimWebhookDelivery,
  finishWebhook,
  recordWebhookAttempt,
  releaseWebhookDelivery,
  startWebhookRound,
} from '../adapters/job-webhooks.ts';
import { countActiveJobs, listJobs, recentRenderDurations } from '../adapters/jobs-listing.ts';
import { markRequeued, scanActiveJobs, unmarkRequeued } from '../adapters/jobs-sweep.ts';
import {
  cancelJob,
  claimJob,
  completeJob,
  failJob,
  getJob,
  insertJob,
  markStoring,
  releaseClaim,
  requeueJob,
  undoRetry,
} from '../adapters/jobs-table.ts';
import {
  deleteObject,
  getInput,
  presignPdf,
  probeBucket,
  putInput,
  putPdf,
  putSourceInput,
} from '../adapters/s3.ts';
import { deferWebhook, enqueueLongjob, enqueueWebhook, queueDepth } from '../adapters/sqs.ts';
import {
  admitRequest,
  getUsage,
  refundPdf,
  releaseActiveJob,
  reserveActiveJob,
} from '../adapters/usage-table.ts';
import {
  disableWebhook,
  findAccountByKeyHash,
  getAccount,
  replaceWebhookSecret,
  updateWebhookSettings,
} from '../adapters/users-table.ts';
import { admitSend, recordSendOutcome } from '../adapters/webhook-endpoints.ts';
import { postWebhook } from '../adapters/webhook-sender.ts';

/**
 * Everything the use cases in app/ reach outside the process through, one port per outside thing
 * (the renderer has its own, render-port.ts, so functions that do not render never load Chromium).
 * Lambda and the local stack run the same adapters (the local stack points them at the emulators
 * through the endpoint settings); unit tests put in-memory fakes in their place with `usePorts`, to
 * reach the failure paths an end-to-end run cannot provoke on demand.
 */
export interface Ports {
  jobs: {
    insertJob: typeof insertJob;
    getJob: typeof getJob;
    claimJob: typeof claimJob;
    releaseClaim: typeof releaseClaim;
    markStoring: typeof markStoring;
    completeJob: typeof completeJob;
    failJob: typeof failJob;
    cancelJob: typeof cancelJob;
    requeueJob: typeof requeueJob;
    undoRetry: typeof undoRetry;
    claimWebhookDelivery: typeof claimWebhookDelivery;
    recordWebhookAttempt: typeof recordWebhookAttempt;
    finishWebhook: typeof finishWebhook;
    releaseWebhookDelivery: typeof releaseWebhookDelivery;
    startWebhookRound: typeof startWebhookRound;
    recentRenderDurations: typeof recentRenderDurations;
    listJobs: typeof listJobs;
    countActiveJobs: typeof countActiveJobs;
  };
  accounts: {
    getAccount: typeof getAccount;
    findAccountByKeyHash: typeof findAccountByKeyHash;
    updateWebhookSettings: typeof updateWebhookSettings;
    disableWebhook: typeof disableWebhook;
    replaceWebhookSecret: typeof replaceWebhookSecret;
  };
  idempotency: {
    putIdempotencyRecord: typeof putIdempotencyRecord;
    deleteIdempotencyRecord: typeof deleteIdempotencyRecord;
  };
  blobs: {
    putInput: typeof putInput;
    putSourceInput: typeof putSourceInput;
    getInput: typeof getInput;
    deleteObject: typeof deleteObject;
    putPdf: typeof putPdf;
    presignPdf: typeof presignPdf;
    probeBucket: typeof probeBucket;
  };
  queue: {
    enqueueLongjob: typeof enqueueLongjob;
    queueDepth: typeof queueDepth;
    enqueueWebhook: typeof enqueueWebhook;
    deferWebhook: typeof deferWebhook;
  };
  analytics: { recordEvent: typeof recordEvent };
  usage: {
    admitRequest: typeof admitRequest;
    getUsage: typeof getUsage;
    refundPdf: typeof refundPdf;
    reserveActiveJob: typeof reserveActiveJob;
    releaseActiveJob: typeof releaseActiveJob;
  };
  webhooks: {
    postWebhook: typeof postWebhook;
    admitSend: typeof admitSend;
    recordSendOutcome: typeof recordSendOutcome;
  };
  /** What only the sweeper (app/sweeper.ts) reads and writes. */
  sweep: {
    scanActiveJobs: typeof scanActiveJobs;
    markRequeued: typeof markRequeued;
    unmarkRequeued: typeof unmarkRequeued;
  };
  /** Time, so tests can move it: leases, backoff and expiries are computed from `now`. */
  clock: { now(): number; sleep(ms: number): Promise<void> };
}

const adapters: Ports = {
  jobs: {
    insertJob,
    getJob,
    claimJob,
    releaseClaim,
    markStoring,
    completeJob,
    failJob,
    cancelJob,
    requeueJob,
    undoRetry,
    claimWebhookDelivery,
    recordWebhookAttempt,
    finishWebhook,
    releaseWebhookDelivery,
    startWebhookRound,
    recentRenderDurations,
    listJobs,
    countActiveJobs,
  },
  accounts: {
    getAccount,
    findAccountByKeyHash,
    updateWebhookSettings,
    disableWebhook,
    replaceWebhookSecret,
  },
  idempotency: { putIdempotencyRecord, deleteIdempotencyRecord },
  blobs: { putInput, putSourceInput, getInput, deleteObject, putPdf, presignPdf, probeBucket },
  queue: { enqueueLongjob, queueDepth, enqueueWebhook, deferWebhook },
  analytics: { recordEvent },
  usage: { admitRequest, getUsage, refundPdf, reserveActiveJob, releaseActiveJob },
  webhooks: { postWebhook, admitSend, recordSendOutcome },
  sweep: { scanActiveJobs, markRequeued, unmarkRequeued },
  clock: { now: () => Date.now(), sleep: (ms) => sleep(ms) },
};

let current: Ports = adapters;

/** The ports the use cases call through. */
export const ports = (): Ports => current;

/**
 * Replaces some ports (each group whole or in part) until the returned function is called: for unit
 * tests only. The groups not given keep the real adapters.
 */
export const usePorts = (replacement: { [K in keyof Ports]?: Partial<Ports[K]> }): (() => void) => {
  const previous = current;
  current = Object.fromEntries(
    Object.entries(previous).map(([group, fns]) => [
      group,
      { ...fns, ...(replacement[group as keyof Ports] ?? {}) },
    ]),
  ) as unknown as Ports;
  return () => {
    current = previous;
  };
};
