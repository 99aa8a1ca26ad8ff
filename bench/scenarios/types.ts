import type { BenchDocument, DocumentId } from '../fixtures/documents.ts';
import type { BenchPlan } from '../plan.ts';
import type { Summary } from '../stats.ts';
import type { ChromiumLaunchSpec } from '../systems/chromium.ts';
import type { LimitRenderer } from '../systems/limit.ts';
import type { QuickjobClient } from '../systems/podpdf-quickjob.ts';
import type { PodpdfServer } from '../systems/podpdf-server.ts';

/** The systems a latency row can belong to. A new way of rendering gets a new id here. */
export type SystemId = 'limit' | 'raw-page-per-doc' | 'peer' | 'podpdf-quickjob' | 'podpdf-longjob';

export const SYSTEM_LABELS: Record<SystemId, string> = {
  limit: 'limit (raw, warm browser)',
  'raw-page-per-doc': 'raw, page per document',
  peer: 'peer (browser per request)',
  'podpdf-quickjob': 'podpdf quickjob',
  'podpdf-longjob': 'podpdf longjob',
};

/** One system rendering one document at one concurrency: the unit of the result table and chart. */
export interface LatencyRow {
  system: SystemId;
  document: DocumentId;
  concurrency: number;
  summary: Summary;
  /**
   * Renders completed per second. Sequential rows: 1000 / mean latency (other systems' renders were
   * interleaved, so wall time would understate it). Concurrent rows: renders / wall time of the block.
   */
  throughputPerSec: number;
  /** Pages in the PDF the system returned (podpdf truncates past 100). */
  pages: number;
  pdfBytes: number;
  samplesMs: number[];
}

/** A target from the project's performance goals, evaluated on numbers from the same run. */
export interface TargetResult {
  id: string;
  description: string;
  /** The measured value in the unit of `threshold` (a ratio, mostly). */
  measured: number;
  threshold: number;
  comparison: '<=' | '>=';
  pass: boolean;
  /** Where the two sides of a ratio came from, e.g. "quickjob 61.2 ms / limit 55.0 ms". */
  basis: string;
}

export type ScenarioOutcome =
  | {
      status: 'done';
      rows: LatencyRow[];
      targets: TargetResult[];
      /** Scenario-specific numbers for the JSON file (samples, windows, breakdowns). */
      details?: Record<string, unknown>;
      /** Text block printed under the main table. */
      text?: string;
    }
  | { status: 'skipped'; reason: string; rows: []; targets: [] }
  /** It threw: the run goes on with the other scenarios and exits non-zero at the end. */
  | { status: 'failed'; error: string; rows: []; targets: [] };

/** Systems started once and shared by the scenarios that measure steady state. */
export interface WarmSystems {
  chromium: ChromiumLaunchSpec;
  limit: LimitRenderer;
  server: PodpdfServer;
  quickjob: QuickjobClient;
  /** The /quickjob request body of each document, serialized once. */
  quickjobBodies: Map<DocumentId, Buffer>;
}

export interface ScenarioContext {
  plan: BenchPlan;
  chromium: ChromiumLaunchSpec;
  document(id: DocumentId): BenchDocument;
  /** Present for scenarios with `usesWarmSystems`. */
  warm?: WarmSystems;
}

/**
 * One thing the benchmark measures. run.ts runs the scenarios in order; those that use the warm systems
 * run while the shared limit browser and podpdf server are up, the others start what they need
 * themselves. Adding a measurement means adding one module that exports a Scenario and listing it in
 * run.ts.
 */
export interface Scenario {
  id: string;
  title: string;
  usesWarmSystems: boolean;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}

export const makeTarget = (
  target: Omit<TargetResult, 'pass'> & { measured: number; threshold: number },
): TargetResult => ({
  ...target,
  pass:
    Number.isFinite(target.measured) &&
    (target.comparison === '<=' ? target.measured <= target.threshold : target.measured >= target.threshold),
});
