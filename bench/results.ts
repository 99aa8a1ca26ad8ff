import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchDocument, DOCUMENTS } from './fixtures/documents.ts';
import type { MachineInfo } from './machine.ts';
import type { BenchPlan } from './plan.ts';
import { ratiosFor, sortRows } from './report.ts';
import type { LatencyRow, ScenarioOutcome, TargetResult } from './scenarios/types.ts';
import { round, type Summary } from './stats.ts';
import type { ChromiumCheck } from './warm-systems.ts';

/** Bumped when a key is renamed or removed, so tools reading old files can tell. */
export const RESULTS_SCHEMA = 'podpdf-bench/1';

export interface BenchResults {
  schema: typeof RESULTS_SCHEMA;
  mode: BenchPlan['mode'];
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: MachineInfo & { chromiumVersion: string };
  chromium: ChromiumCheck | { error: string };
  plan: Omit<BenchPlan, 'resultsDir'>;
  documents: Omit<BenchDocument, 'html'>[];
  latency: (Omit<LatencyRow, 'summary'> & {
    summary: Summary;
    ratioToLimitP50: number | null;
    ratioToPeerP50: number | null;
  })[];
  scenarios: Record<string, ScenarioRecord>;
  skipped: { scenario: string; title: string; reason: string }[];
  targets: TargetResult[];
}

/** One scenario as run.ts ran it. */
export interface ScenarioRun {
  id: string;
  title: string;
  outcome: ScenarioOutcome;
  /** Share of the machine's CPU other processes used while it ran (0-1): noise in its numbers. */
  foreignCpuShare: number;
}

/** A scenario's outcome as the JSON file keeps it: rows and targets have their own top-level keys. */
export interface ScenarioRecord {
  status: ScenarioOutcome['status'];
  foreignCpuShare: number;
  reason?: string;
  error?: string;
  details?: Record<string, unknown>;
}

const scenarioRecord = ({ outcome, foreignCpuShare }: ScenarioRun): ScenarioRecord => {
  const common = { status: outcome.status, foreignCpuShare: round(foreignCpuShare, 3) };
  if (outcome.status === 'skipped') return { ...common, reason: outcome.reason };
  if (outcome.status === 'failed') return { ...common, error: outcome.error };
  return { ...common, ...(outcome.details ? { details: outcome.details } : {}) };
};

const roundSummary = (summary: Summary): Summary => ({
  n: summary.n,
  mean: round(summary.mean),
  stdev: round(summary.stdev),
  min: round(summary.min),
  p50: round(summary.p50),
  p95: round(summary.p95),
  p99: round(summary.p99),
  max: round(summary.max),
});

const finiteOrNull = (value: number, digits = 3): number | null =>
  Number.isFinite(value) ? round(value, digits) : null;

export const buildResults = (input: {
  plan: BenchPlan;
  startedAt: Date;
  finishedAt: Date;
  machine: MachineInfo;
  chromium: ChromiumCheck | { error: string };
  documents: BenchDocument[];
  outcomes: ScenarioRun[];
}): BenchResults => {
  const rows = input.outcomes.flatMap(({ outcome }) => outcome.rows);
  const { resultsDir: _local, ...plan } = input.plan;
  return {
    schema: RESULTS_SCHEMA,
    mode: input.plan.mode,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationSeconds: round((input.finishedAt.getTime() - input.startedAt.getTime()) / 1000, 1),
    machine: {
      ...input.machine,
      chromiumVersion: 'version' in input.chromium ? input.chromium.version : 'unknown',
    },
    chromium: input.chromium,
    plan,
    documents: DOCUMENTS.filter((doc) => input.documents.some((d) => d.id === doc.id)).map((doc) => {
      const loaded = input.documents.find((d) => d.id === doc.id) as BenchDocument;
      return { id: doc.id, title: doc.title, file: doc.file, pages: doc.pages, bytes: loaded.bytes };
    }),
    latency: sortRows(rows).map((row) => {
      const ratios = ratiosFor(row, rows);
      return {
        ...row,
        summary: roundSummary(row.summary),
        throughputPerSec: round(row.throughputPerSec),
        ratioToLimitP50: finiteOrNull(ratios.toLimitP50),
        ratioToPeerP50: finiteOrNull(ratios.toPeerP50),
        samplesMs: row.samplesMs.map((v) => round(v)),
      };
    }),
    scenarios: Object.fromEntries(input.outcomes.map((run) => [run.id, scenarioRecord(run)])),
    skipped: input.outcomes.flatMap(({ id, title, outcome }) =>
      outcome.status === 'skipped' ? [{ scenario: id, title, reason: outcome.reason }] : [],
    ),
    targets: input.outcomes.flatMap(({ outcome }) =>
      outcome.targets.map((t) => ({ ...t, measured: round(t.measured, 3) })),
    ),
  };
};

/** Writes <timestamp>.json, latest.json and latest.svg; returns the timestamped path. */
export const writeResults = (dir: string, results: BenchResults, svg: string): string => {
  mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const path = join(dir, `${stamp}.json`);
  writeFileSync(path, json);
  writeFileSync(join(dir, 'latest.json'), json);
  writeFileSync(join(dir, 'latest.svg'), svg);
  return path;
};
