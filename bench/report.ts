import { DOCUMENTS } from './fixtures/documents.ts';
import { type LatencyRow, SYSTEM_LABELS, type SystemId, type TargetResult } from './scenarios/types.ts';

const SYSTEM_ORDER: SystemId[] = ['limit', 'raw-page-per-doc', 'peer', 'podpdf-quickjob', 'podpdf-longjob'];

/** Rows in reading order: document, then concurrency, then system. */
export const sortRows = (rows: LatencyRow[]): LatencyRow[] => {
  const documentIndex = (row: LatencyRow) => DOCUMENTS.findIndex((doc) => doc.id === row.document);
  return [...rows].sort(
    (a, b) =>
      documentIndex(a) - documentIndex(b) ||
      a.concurrency - b.concurrency ||
      SYSTEM_ORDER.indexOf(a.system) - SYSTEM_ORDER.indexOf(b.system),
  );
};

export interface RowRatios {
  /** p50 / p50 of the limit on the same document at the same concurrency. */
  toLimitP50: number;
  /** p50 / p50 of the peer on the same document (the peer only runs sequentially). */
  toPeerP50: number;
}

export const ratiosFor = (row: LatencyRow, rows: LatencyRow[]): RowRatios => {
  const limit = rows.find(
    (r) => r.system === 'limit' && r.document === row.document && r.concurrency === row.concurrency,
  );
  const peer = rows.find((r) => r.system === 'peer' && r.document === row.document && r.concurrency === 1);
  return {
    toLimitP50: limit ? row.summary.p50 / limit.summary.p50 : Number.NaN,
    toPeerP50: peer ? row.summary.p50 / peer.summary.p50 : Number.NaN,
  };
};

const fixed = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';

const renderTable = (header: string[], body: string[][], rightAligned: Set<number>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
};

export const latencyTable = (rows: LatencyRow[], skipped: { title: string; reason: string }[]): string => {
  const sorted = sortRows(rows);
  const body = sorted.map((row) => {
    const ratios = ratiosFor(row, rows);
    return [
      SYSTEM_LABELS[row.system],
      row.document,
      String(row.concurrency),
      String(row.summary.n),
      fixed(row.summary.p50, 1),
      fixed(row.summary.p95, 1),
      fixed(row.summary.p99, 1),
      fixed(row.throughputPerSec, 1),
      fixed(ratios.toLimitP50, 2),
      fixed(ratios.toPeerP50, 2),
      String(row.pages),
    ];
  });
  const table = renderTable(
    [
      'system',
      'document',
      'conc',
      'n',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'req/s',
      'x limit p50',
      'x peer p50',
      'pages',
    ],
    body,
    new Set([2, 3, 4, 5, 6, 7, 8, 9, 10]),
  );
  // Scenarios that could not run keep a line in the table, so their absence is visible.
  const firstColumn = Math.max('system'.length, ...body.map((row) => (row[0] ?? '').length));
  const skippedLines = skipped.map(({ title, reason }) => `${title.padEnd(firstColumn)}  skipped: ${reason}`);
  return [table, ...skippedLines].join('\n');
};

export const targetLines = (targets: TargetResult[]): string =>
  targets
    .map(
      (t) =>
        `${t.pass ? 'PASS' : 'MISS'}  ${t.description}: ${fixed(t.measured, 2)} (need ${t.comparison} ${t.threshold}; ${t.basis})`,
    )
    .join('\n');
