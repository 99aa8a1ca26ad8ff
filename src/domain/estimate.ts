import { type HtmlStructure, scanHtml } from './html-structure.ts';

/**
 * Pre-flight guess of how long Chromium needs for a document, from counts that are cheap to take on the
 * raw HTML (`html-structure.ts`). Chromium paginates the whole document even when only 100 pages are
 * printed, and its cost grows with the number of block boxes — slowly at first, then steeply (about
 * cubically past ~20,000). Every other element costs a little; inline elements that share one block
 * (one line-breaking context) cost quadratically in their number: 20,000 `<span>`s in one paragraph
 * take as long as 20,000 paragraphs. Plain text volume and inline images barely matter. The
 * coefficients below are fitted to renders measured on the project's reference machine (SPEC.md,
 * "Quick-job estimate") and err towards letting documents through: the hard deadline still guards
 * whatever the estimate misses.
 */
export const ESTIMATE_COEFFICIENTS = {
  /** Fixed cost of a render: new page, load, print. */
  baseMs: 150,
  /** Per block box (paragraph, div, list item, table row, heading, ...). */
  perBlockMs: 0.175,
  /** Multiplies (blocks / 1000)^3: pagination of very long documents. */
  perKiloBlockCubedMs: 0.6875,
  /** Table rows cost this much on top of being blocks (table layout across page breaks). */
  perTableRowMs: 0.5,
  /** Decode and paint per image. */
  perImageMs: 2,
  /** Per element that is not a block (span, a, td, custom elements, SVG shapes, ...). */
  perOtherElementMs: 0.05,
  /** Multiplies the sum over blocks of (inline elements in the block / 1000)^2: line breaking. */
  perKiloInlineRunSquaredMs: 50,
} as const;

export interface RenderEstimate {
  estimatedMs: number;
  factors: {
    blocks: number;
    table_rows: number;
    images: number;
    elements: number;
    longest_inline_run: number;
  };
}

/** The estimate for a document already scanned (`scanHtml`). */
export const estimateFromStructure = (structure: HtmlStructure): RenderEstimate => {
  const c = ESTIMATE_COEFFICIENTS;
  const { blocks, tableRows, images, elements, inlineRunSquares, longestInlineRun } = structure;
  const estimatedMs =
    c.baseMs +
    blocks * c.perBlockMs +
    (blocks / 1000) ** 3 * c.perKiloBlockCubedMs +
    tableRows * c.perTableRowMs +
    images * c.perImageMs +
    (elements - blocks) * c.perOtherElementMs +
    (inlineRunSquares / 1_000_000) * c.perKiloInlineRunSquaredMs;
  return {
    estimatedMs,
    factors: { blocks, table_rows: tableRows, images, elements, longest_inline_run: longestInlineRun },
  };
};

/**
 * @example
 * estimateRenderMs('<p>x</p>'.repeat(40_000)).estimatedMs; // 51150: over the 25 s quick-job budget
 */
export const estimateRenderMs = (html: string): RenderEstimate => estimateFromStructure(scanHtml(html));
