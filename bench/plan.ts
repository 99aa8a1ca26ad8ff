import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DOCUMENTS, type DocumentId } from './fixtures/documents.ts';

export type BenchMode = 'full' | 'quick' | 'smoke';

/** How much of each measurement a run does. Every loop in the benchmark is bounded by these numbers. */
export interface BenchPlan {
  mode: BenchMode;
  resultsDir: string;
  /** Scenario ids to run (`--only`); all when empty. */
  only: string[];
  documents: DocumentId[];
  /**
   * Idle ms after each timed render in the sequential scenarios, the same for every system, so work a
   * system leaves running after it answers (podpdf closes the page and opens the next one) finishes
   * before anything else is timed instead of slowing whichever system renders next.
   */
  settleMs: number;
  latency: {
    /** Unrecorded rounds per document first: JIT, font and image caches, connection set-up. */
    warmupRounds: number;
    /** Recorded rounds; each round renders once with every system, in alternating order. */
    rounds: Record<DocumentId, number>;
    /** The peer launches a browser per render, so it joins only the first rounds. */
    peerRounds: Record<DocumentId, number>;
  };
  concurrency: { levels: number[]; documents: DocumentId[]; requestsPerLevel: number };
  coldStart: { repetitions: number; document: DocumentId };
  memory: { renders: number; window: number; documents: DocumentId[] };
  overhead: { iterations: number; documents: DocumentId[] };
  /** The isolation scenario: interleaved iterations per document (and the sub-resource document). */
  isolation: { iterations: number; documents: DocumentId[] };
  /**
   * Long jobs: `sequential` jobs one at a time per document, then one batch of `batch` jobs at once,
   * after `warmup` jobs (and as many limit renders) at the batch's concurrency.
   */
  longjob: { documents: DocumentId[]; sequential: number; warmup: number; batch: number };
  /** Long-job batches (at most 100) alternating all webhook receivers answering and half failing. */
  webhooks: { batch: number; rounds: number };
  /** The cost scenario: renders per CPU share, after a warm-up, of each document. */
  cost: { warmup: number; renders: number; documents: DocumentId[] };
  /** The `ab` scenario: interleaved quick jobs per document on this checkout and on `baseline`. */
  ab: { rounds: number; documents: DocumentId[] };
  /** Another checkout of podpdf (its dependencies installed) that `ab` compares this one with. */
  baseline?: string;
}

const perDocument = (invoice: number, report: number, long: number): Record<DocumentId, number> => ({
  invoice,
  'report-10': report,
  'document-100': long,
  'document-150': long,
});

const ALL_DOCUMENTS = DOCUMENTS.map((doc) => doc.id);

const PLANS: Record<BenchMode, Omit<BenchPlan, 'resultsDir' | 'only' | 'baseline'>> = {
  // About 15 minutes on a 2-core machine.
  full: {
    mode: 'full',
    documents: ALL_DOCUMENTS,
    settleMs: 50,
    latency: { warmupRounds: 10, rounds: perDocument(300, 200, 60), peerRounds: perDocument(60, 40, 20) },
    concurrency: { levels: [2, 4, 8], documents: ['invoice', 'report-10'], requestsPerLevel: 120 },
    coldStart: { repetitions: 7, document: 'invoice' },
    memory: { renders: 500, window: 100, documents: ['invoice', 'report-10'] },
    overhead: { iterations: 40, documents: ALL_DOCUMENTS },
    isolation: { iterations: 40, documents: ['invoice', 'report-10'] },
    longjob: { documents: ['invoice', 'report-10'], sequential: 40, warmup: 100, batch: 200 },
    webhooks: { batch: 100, rounds: 3 },
    cost: { warmup: 5, renders: 40, documents: ['invoice', 'report-10'] },
    ab: { rounds: 150, documents: ['invoice', 'report-10'] },
  },
  // About 110 s on a quiet 2-core machine (under 2 minutes with some noise): enough samples for p50/p95;
  // p99 is close to the maximum at these counts.
  quick: {
    mode: 'quick',
    documents: ALL_DOCUMENTS,
    settleMs: 50,
    latency: { warmupRounds: 3, rounds: perDocument(40, 30, 8), peerRounds: perDocument(12, 8, 4) },
    concurrency: { levels: [2, 4, 8], documents: ['invoice'], requestsPerLevel: 16 },
    coldStart: { repetitions: 3, document: 'invoice' },
    memory: { renders: 120, window: 40, documents: ['invoice', 'report-10'] },
    overhead: { iterations: 4, documents: ['invoice', 'report-10'] },
    isolation: { iterations: 8, documents: ['invoice', 'report-10'] },
    longjob: { documents: ['invoice'], sequential: 10, warmup: 20, batch: 40 },
    webhooks: { batch: 40, rounds: 1 },
    cost: { warmup: 2, renders: 10, documents: ['invoice', 'report-10'] },
    ab: { rounds: 30, documents: ['invoice', 'report-10'] },
  },
  // Exercises every code path in seconds (the integration smoke test); the numbers mean nothing.
  smoke: {
    mode: 'smoke',
    documents: ['invoice'],
    settleMs: 0,
    latency: { warmupRounds: 1, rounds: perDocument(3, 3, 3), peerRounds: perDocument(3, 3, 3) },
    concurrency: { levels: [2], documents: ['invoice'], requestsPerLevel: 4 },
    coldStart: { repetitions: 1, document: 'invoice' },
    memory: { renders: 20, window: 5, documents: ['invoice'] },
    overhead: { iterations: 3, documents: ['invoice'] },
    isolation: { iterations: 2, documents: ['invoice'] },
    longjob: { documents: ['invoice'], sequential: 2, warmup: 2, batch: 2 },
    webhooks: { batch: 2, rounds: 1 },
    cost: { warmup: 1, renders: 2, documents: ['invoice'] },
    ab: { rounds: 2, documents: ['invoice'] },
  },
};

export const USAGE = `usage: npm run bench -- [--quick] [--smoke] [--results-dir DIR] [--baseline DIR]

  (default)          full run, about 15 minutes
  --quick            under 2 minutes, fewer samples
  --smoke            tiny run that only proves the benchmark works (used by the integration test)
  --results-dir DIR  where <timestamp>.json, latest.json and latest.svg go (default bench/results)
  --only IDS         comma-separated scenarios to run (latency, concurrency, longjob, webhooks,
                     memory, cold-start, overhead, isolation, cost, ab); targets of the others are not
                     evaluated
  --baseline DIR     another checkout of podpdf, dependencies installed (e.g. a git worktree of
                     an earlier commit): the ab scenario compares quick jobs on both, interleaved
`;

/** Waits out `BenchPlan.settleMs`. */
export const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const parsePlan = (argv: string[]): BenchPlan | 'help' => {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      'results-dir': { type: 'string' },
      only: { type: 'string' },
      baseline: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const mode: BenchMode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
  const resultsDir = values['results-dir'] ?? fileURLToPath(new URL('results/', import.meta.url));
  const only = (values.only ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  return { ...PLANS[mode], resultsDir, only, ...(values.baseline ? { baseline: values.baseline } : {}) };
};
