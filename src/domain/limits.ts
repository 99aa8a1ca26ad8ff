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

/**
 * The highest page number `options.pageRanges` may name. Chromium reads page numbers as 32-bit
 * integers and fails anything larger as a syntax error; no document that renders within the limits
 * below comes near a million pages.
 */
export const MAX_PAGE_NUMBER = 1_000_000;

/**
 * Margins must leave at least this much of the sheet printable, across and down (inches). Chromium
 * refuses margins that leave nothing ("content area is empty"); a sliver prints as dozens of pages.
 */
export const MIN_PRINTABLE_INCHES = 1;

/**
 * Largest decoded size (width × height) of one `data:` bitmap: Chromium holds it as 4 bytes a pixel,
 * 200 MB at this size. An A3 page scanned at 300 dpi is 17.4 megapixels.
 */
export const MAX_IMAGE_PIXELS = 50_000_000;

/**
 * Largest decoded size of a request's distinct `data:` bitmaps together (HTML and templates): decoding
 * costs ~16 ms a megapixel, so this bounds it to a few seconds. Eight A3 pages at 300 dpi.
 */
export const MAX_TOTAL_IMAGE_PIXELS = 150_000_000;

/** The same two limits for images a document loads from the network, checked as they arrive. */
export const LOADED_IMAGE_LIMITS = { image: MAX_IMAGE_PIXELS, total: MAX_TOTAL_IMAGE_PIXELS };

/**
 * Most elements (start tags) a document may have. Every document measured with 200,000 or more went
 * past the renderer's memory cap (RENDERER_MEMORY_CAP_BYTES) after tens of seconds.
 */
export const MAX_ELEMENTS = 200_000;

/**
 * Deepest element nesting a document may have. Chromium's parser stops nesting at 512
 * (kMaximumHTMLParserDOMTreeDepth); far deeper markup hangs its parser (100,000 nested `<div>`s) or
 * fails the print (600 nested tables).
 */
export const MAX_NESTING_DEPTH = 512;

/** The longest `options.waitDelay` (ms): a fixed pause is a last resort, the deadline still applies. */
export const MAX_WAIT_DELAY_MS = 10_000;

/** Loads listed in a RESOURCE_LOADING_FAILED error; the count covers them all. */
export const MAX_LISTED_FAILED_LOADS = 10;

/**
 * Sides of custom paper (`options.width`, `options.height`), inches. Under the minimum no margin
 * leaves MIN_PRINTABLE_INCHES; 200 in (14,400 points) is the largest page Acrobat opens.
 */
export const PAPER_SIDE_INCHES = { min: MIN_PRINTABLE_INCHES, max: 200 } as const;

/** Longest text field of `options.metadata`, in characters. */
export const PDF_METADATA_MAX_CHARS = 2_000;

/** Longest `options.filename`, `.pdf` included: the longest name common file systems take. */
export const FILENAME_MAX_CHARS = 255;

/**
 * Requests without a valid API key, per source address: a bucket of this many, refilled at this rate.
 * Past it a source gets 429 instead of 401, so keys cannot be guessed at the API's full speed.
 */
export const FAILED_AUTH_BUCKET = { rate_per_s: 1, burst: 20 } as const;
