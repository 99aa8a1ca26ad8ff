/**
 * Pre-flight guess of how long Chromium needs for a document, from counts that are cheap to take on the
 * raw HTML. It only has to catch documents that are clearly too big for a quick job; the 30 s deadline
 * still guards everything else. Coefficients were measured on the project's benchmark fixtures (see
 * SPEC.md, "Quick-job estimate") and err towards letting documents through.
 */
export const ESTIMATE_COEFFICIENTS = {
  /** Fixed cost of a render: new page, load, print. */
  baseMs: 150,
  /** Parsing and layout per KiB of HTML. */
  perKibMs: 0.5,
  /** Style and layout per element. */
  perElementMs: 0.02,
  /** Table layout is the slowest common case; per cell on top of the element cost. */
  perTableCellMs: 0.03,
  /** Decode and paint per image. */
  perImageMs: 2,
} as const;

export interface RenderEstimate {
  estimatedMs: number;
  factors: { html_kib: number; elements: number; table_cells: number; images: number };
}

const count = (html: string, pattern: RegExp): number => {
  let n = 0;
  pattern.lastIndex = 0;
  while (pattern.exec(html) !== null) n += 1;
  return n;
};

export const estimateRenderMs = (html: string): RenderEstimate => {
  const c = ESTIMATE_COEFFICIENTS;
  const factors = {
    html_kib: Math.round(Buffer.byteLength(html, 'utf8') / 1024),
    elements: count(html, /<[a-z]/gi),
    table_cells: count(html, /<t[dh][\s>]/gi),
    images: count(html, /<img[\s>]/gi),
  };
  const estimatedMs =
    c.baseMs +
    factors.html_kib * c.perKibMs +
    factors.elements * c.perElementMs +
    factors.table_cells * c.perTableCellMs +
    factors.images * c.perImageMs;
  return { estimatedMs, factors };
};
