/** Product limits. Numbers that AWS imposes are named after the AWS limit they come from. */

/** Output never has more pages than this; longer documents are truncated. */
export const MAX_PDF_PAGES = 100;

/** A quick job answers within this time or gets a 408 (the HTTP API integration limit is 30 s). */
export const QUICKJOB_HARD_TIMEOUT_MS = 30_000;

/** The pre-flight estimate rejects documents predicted to take longer than this. */
export const QUICKJOB_ESTIMATE_LIMIT_MS = 25_000;

/** Time kept back from the deadline to record the job and send the response. */
export const RESPONSE_RESERVE_MS = 1_500;

/** Lambda's synchronous invocation payload limit (request and response alike). */
export const LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

/** Room kept in the response for the JSON envelope and headers around the base64 body. */
const RESPONSE_ENVELOPE_BYTES = 16 * 1024;

/** Largest PDF that fits the sync response once base64-encoded (4 bytes per 3). */
export const MAX_INLINE_PDF_BYTES = Math.floor(
  ((LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES - RESPONSE_ENVELOPE_BYTES) / 4) * 3,
);

/** Request bodies above this are refused with 413 (leaves room under the 6 MB invocation limit). */
export const MAX_REQUEST_BODY_BYTES = 5 * 1024 * 1024;

/** JobDetails rows expire (DynamoDB TTL) this long after creation. */
export const JOB_RETENTION_DAYS = 30;

/**
 * A long job's HTML travels in its queue message when the whole message body fits in this many
 * bytes, and goes through S3 otherwise. 256 KiB was SQS's maximum message size until 2025 and is
 * what every queue accepts; it also keeps a batch of five messages far below Lambda's 6 MB event.
 */
export const MAX_QUEUE_MESSAGE_BYTES = 256 * 1024;

/**
 * The most resident memory one document's renderer may hold; past it the renderer is killed and the
 * job fails. Five of them (a processor's batch) plus the browser stay under a 10 GB function.
 */
export const RENDERER_MEMORY_CAP_BYTES = 1536 * 1024 * 1024;
