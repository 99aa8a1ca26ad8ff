/**
 * Pre-flight guess of how long Chromium needs for a document, from counts that are cheap to take on the
 * raw HTML. Chromium paginates the whole document even when only 100 pages are printed, and its cost
 * grows with the number of block boxes — slowly at first, then steeply (about cubically past ~20,000).
 * Plain text volume and inline images barely matter. The coefficients below are fitted to renders
 * measured on the project's reference machine (SPEC.md, "Quick-job estimate") and err towards letting
 * documents through: the hard deadline still guards whatever the estimate misses.
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
} as const;

export interface RenderEstimate {
  estimatedMs: number;
  factors: { blocks: number; table_rows: number; images: number };
}

const BLOCK_TAG =
  /<(?:p|div|li|tr|h[1-6]|section|article|aside|nav|header|footer|main|table|thead|tbody|blockquote|pre|ul|ol|dl|dt|dd|figure|form|fieldset|hr|br)[\s/>]/gi;
const TABLE_ROW_TAG = /<tr[\s>]/gi;
const IMAGE_TAG = /<(?:img|svg|canvas)[\s/>]/gi;

const count = (html: string, pattern: RegExp): number => html.match(pattern)?.length ?? 0;

export const estimateRenderMs = (html: string): RenderEstimate => {
  const c = ESTIMATE_COEFFICIENTS;
  const factors = {
    blocks: count(html, BLOCK_TAG),
    table_rows: count(html, TABLE_ROW_TAG),
    images: count(html, IMAGE_TAG),
  };
  const estimatedMs =
    c.baseMs +
    factors.blocks * c.perBlockMs +
    (factors.blocks / 1000) ** 3 * c.perKiloBlockCubedMs +
    factors.table_rows * c.perTableRowMs +
    factors.images * c.perImageMs;
  return { estimatedMs, factors };
};
