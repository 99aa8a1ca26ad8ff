import { DOCUMENTS } from './fixtures/documents.ts';
import { sortRows } from './report.ts';
import type { LatencyRow, SystemId } from './scenarios/types.ts';

/**
 * The latency chart, hand-written SVG: one panel per document (each with its own scale, since a
 * 150-page document and an invoice differ by an order of magnitude), one bar per system and concurrency.
 * The solid part of a bar is p50, the pale part on top reaches p95.
 */

const COLORS: Record<SystemId, { solid: string; pale: string }> = {
  limit: { solid: '#4e79a7', pale: '#b9cde3' },
  'raw-page-per-doc': { solid: '#76b7b2', pale: '#c8e2e0' },
  peer: { solid: '#e15759', pale: '#f4bcbd' },
  'podpdf-quickjob': { solid: '#3d8c40', pale: '#b5dcb6' },
  'podpdf-longjob': { solid: '#f28e2b', pale: '#f9d2ac' },
};

const SHORT_LABELS: Record<SystemId, string> = {
  limit: 'limit',
  'raw-page-per-doc': 'raw page/doc',
  peer: 'peer',
  'podpdf-quickjob': 'quickjob',
  'podpdf-longjob': 'longjob',
};

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round axis maximum and step (1, 2, 2.5 or 5 times a power of ten) with about five gridlines. */
const niceScale = (max: number): { top: number; step: number } => {
  const rough = Math.max(max, 1) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  return { top: Math.ceil(max / step) * step || step, step };
};

/** Splits text at spaces into lines of at most `width` characters (SVG text does not wrap). */
const wrap = (text: string, width: number): string[] => {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
};

const BAR = 34;
const GAP = 14;
const PANEL_PAD = { left: 56, right: 16, top: 40, bottom: 78 };
const PLOT_HEIGHT = 240;

const plotWidthFor = (bars: number): number => Math.max(bars * (BAR + GAP) + GAP, 160);
const panelWidthFor = (bars: number): number => PANEL_PAD.left + plotWidthFor(bars) + PANEL_PAD.right;

const panel = (x: number, y: number, title: string, rows: LatencyRow[]): string => {
  const plotWidth = plotWidthFor(rows.length);
  const { top, step } = niceScale(Math.max(...rows.map((row) => row.summary.p95)));
  const scaleY = (value: number) => PLOT_HEIGHT - (value / top) * PLOT_HEIGHT;
  const parts: string[] = [
    `<g transform="translate(${x},${y})">`,
    `<text x="${PANEL_PAD.left}" y="20" class="panel-title">${escapeXml(title)}</text>`,
    `<g transform="translate(${PANEL_PAD.left},${PANEL_PAD.top})">`,
  ];
  for (let value = 0; value <= top + step / 2; value += step) {
    const gy = scaleY(value).toFixed(1);
    parts.push(
      `<line x1="0" y1="${gy}" x2="${plotWidth}" y2="${gy}" class="grid"/>`,
      `<text x="-6" y="${gy}" dy="4" class="tick">${Number(value.toPrecision(6))}</text>`,
    );
  }
  rows.forEach((row, i) => {
    const bx = GAP + i * (BAR + GAP);
    const color = COLORS[row.system];
    const p50 = row.summary.p50;
    const p95 = row.summary.p95;
    const label = `${SHORT_LABELS[row.system]}${row.concurrency > 1 ? ` c${row.concurrency}` : ''}`;
    parts.push(
      `<rect x="${bx}" y="${scaleY(p95).toFixed(1)}" width="${BAR}" height="${(PLOT_HEIGHT - scaleY(p95)).toFixed(1)}" fill="${color.pale}"><title>${escapeXml(`${label}: p95 ${p95.toFixed(1)} ms`)}</title></rect>`,
      `<rect x="${bx}" y="${scaleY(p50).toFixed(1)}" width="${BAR}" height="${(PLOT_HEIGHT - scaleY(p50)).toFixed(1)}" fill="${color.solid}"><title>${escapeXml(`${label}: p50 ${p50.toFixed(1)} ms`)}</title></rect>`,
      `<text x="${bx + BAR / 2}" y="${(scaleY(p95) - 4).toFixed(1)}" class="value">${p50.toFixed(0)}/${p95.toFixed(0)}</text>`,
      `<text transform="translate(${bx + BAR / 2},${PLOT_HEIGHT + 12}) rotate(-40)" class="label">${escapeXml(label)}</text>`,
    );
  });
  parts.push(
    `<line x1="0" y1="${PLOT_HEIGHT}" x2="${plotWidth}" y2="${PLOT_HEIGHT}" class="axis"/>`,
    '</g></g>',
  );
  return parts.join('\n');
};

export interface ChartInfo {
  subtitle: string;
  skipped: { title: string; reason: string }[];
}

export const latencyChartSvg = (rows: LatencyRow[], info: ChartInfo): string => {
  const sorted = sortRows(rows);
  const documents = DOCUMENTS.filter((doc) => sorted.some((row) => row.document === doc.id));
  const panelHeight = PANEL_PAD.top + PLOT_HEIGHT + PANEL_PAD.bottom;
  const header = 64;
  const columns = Math.min(2, documents.length);
  const rowsOf = (id: string) => sorted.filter((row) => row.document === id);
  const columnWidth = Math.max(...documents.map((doc) => panelWidthFor(rowsOf(doc.id).length)), 440);
  const panels = documents.map((doc, i) => {
    const x = (i % columns) * columnWidth;
    const y = header + Math.floor(i / columns) * panelHeight;
    return panel(x, y, `${doc.title} — p50/p95 ms`, rowsOf(doc.id));
  });
  const width = Math.max(columns * columnWidth, 980);
  const footerY = header + Math.ceil(documents.length / columns) * panelHeight;
  // Only the systems that have bars in this chart, in table order.
  const shown = (Object.keys(COLORS) as SystemId[]).filter((system) =>
    sorted.some((row) => row.system === system),
  );
  const legend = shown
    .map(
      (system, i) =>
        `<rect x="${16 + i * 150}" y="40" width="12" height="12" fill="${COLORS[system].solid}"/>` +
        `<text x="${32 + i * 150}" y="50" class="legend">${SHORT_LABELS[system]}</text>`,
    )
    .join('');
  const notes = info.skipped.flatMap((s) => wrap(`${s.title}: skipped — ${s.reason}`, 150));
  const footer = notes.map(
    (line, i) => `<text x="16" y="${footerY + 18 + i * 16}" class="note">${escapeXml(line)}</text>`,
  );
  const height = footerY + 24 + notes.length * 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>',
    '.title{font-size:16px;font-weight:bold}.subtitle,.note{font-size:11px;fill:#555}',
    '.panel-title{font-size:13px;font-weight:bold}.tick{font-size:10px;text-anchor:end;fill:#555}',
    '.value{font-size:9px;text-anchor:middle;fill:#333}.label{font-size:10px;text-anchor:end}',
    '.legend{font-size:11px}.grid{stroke:#e4e4e4}.axis{stroke:#333}',
    '</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    '<text x="16" y="20" class="title">podpdf benchmark: latency per document (bar = p50, pale top = p95)</text>',
    `<text x="16" y="34" class="subtitle">${escapeXml(info.subtitle)}</text>`,
    legend,
    `<text x="${16 + shown.length * 150}" y="50" class="legend">cN = N requests in flight</text>`,
    ...panels,
    ...footer,
    '</svg>',
    '',
  ].join('\n');
};
