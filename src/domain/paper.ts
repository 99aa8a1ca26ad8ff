import * as z from 'zod';

/** Paper formats a request may name, and their sizes as Chromium is told them. */
export const PAPER_FORMATS = ['A3', 'A4', 'A5', 'Letter', 'Legal', 'Tabloid'] as const;
export type PaperFormat = (typeof PAPER_FORMATS)[number];

/** Paper sizes in inches, portrait, as puppeteer's `page.pdf()` has them. */
export const PAPER_INCHES: Record<PaperFormat, { width: number; height: number }> = {
  A3: { width: 11.6929, height: 16.5354 },
  A4: { width: 8.2677, height: 11.6929 },
  A5: { width: 5.8268, height: 8.2677 },
  Letter: { width: 8.5, height: 11 },
  Legal: { width: 8.5, height: 14 },
  Tabloid: { width: 11, height: 17 },
};

/** CSS lengths Chromium's printToPDF accepts: a number with an optional px, in, cm or mm unit (px if none). */
export const CSS_LENGTH = /^(\d+(?:\.\d+)?)(px|in|cm|mm)?$/;

/** A CSS length field of a request (margins, custom paper sides). */
export const cssLengthSchema = z
  .string()
  .trim()
  .regex(CSS_LENGTH, 'must be a CSS length such as "20mm", "1in", "0.5cm" or "12px"');

/** CSS pixels per unit, as puppeteer converts them (its cm and mm are rounded: 37.8 and 3.78). */
const PIXELS_PER_UNIT = { px: 1, in: 96, cm: 37.8, mm: 3.78 } as const;

/** A CSS length as the request schema allows it ("20mm", "1in", "12px", "0"), in inches. */
export const cssLengthToInches = (length: string): number => {
  const match = CSS_LENGTH.exec(length.trim());
  if (!match) throw new TypeError(`not a CSS length: ${length}`);
  const unit = (match[2] ?? 'px') as keyof typeof PIXELS_PER_UNIT;
  return (Number(match[1]) * PIXELS_PER_UNIT[unit]) / PIXELS_PER_UNIT.in;
};

/** Custom paper: both sides as CSS lengths, instead of a format. */
export interface CustomPaper {
  width: string;
  height: string;
}
export type Paper = PaperFormat | CustomPaper;

/** The paper of `options`: `width` and `height` when both are given, else `format` (A4 by default). */
export const paperOf = (options: { format?: PaperFormat; width?: string; height?: string }): Paper =>
  options.width !== undefined && options.height !== undefined
    ? { width: options.width, height: options.height }
    : (options.format ?? 'A4');

/** Portrait size in inches, as Chromium is sent it. */
export const paperInches = (paper: Paper): { width: number; height: number } =>
  typeof paper === 'string'
    ? PAPER_INCHES[paper]
    : { width: cssLengthToInches(paper.width), height: cssLengthToInches(paper.height) };

const paperName = (paper: Paper): string =>
  typeof paper === 'string' ? paper : `${paper.width} × ${paper.height} paper`;

/** The sheet Chromium prints on, in inches: landscape swaps the sides. */
export const paperSize = (paper: Paper, landscape: boolean): { width: number; height: number } => {
  const { width, height } = paperInches(paper);
  return landscape ? { width: height, height: width } : { width, height };
};

export interface Margins {
  top: string;
  right: string;
  bottom: string;
  left: string;
}

const inches = (value: number): string => `${Number(value.toFixed(2))} in`;

/**
 * Why `margin` leaves less than `minPrintableInches` of the sheet in either direction, or undefined
 * when it leaves enough. Chromium checks the margins against the paper size it is sent (`format`, or `width` and `height`),
 * before it reads any CSS `@page` rule, even with preferCSSPageSize; an empty content area is its
 * "invalid print parameters" failure.
 */
export const marginProblem = (
  paper: Paper,
  landscape: boolean,
  margin: Margins,
  minPrintableInches: number,
): string | undefined => {
  const sheet = paperSize(paper, landscape);
  const orientation = landscape ? 'landscape' : 'portrait';
  const axes = [
    { sides: 'top + bottom', dimension: 'height', a: margin.top, b: margin.bottom, size: sheet.height },
    { sides: 'left + right', dimension: 'width', a: margin.left, b: margin.right, size: sheet.width },
  ];
  for (const axis of axes) {
    const used = cssLengthToInches(axis.a) + cssLengthToInches(axis.b);
    if (axis.size - used < minPrintableInches) {
      return `${axis.sides} margins (${inches(used)}) leave ${inches(Math.max(0, axis.size - used))} of the ${inches(axis.size)} ${axis.dimension} of ${paperName(paper)} ${orientation}; at least ${inches(minPrintableInches)} must remain printable`;
    }
  }
  return undefined;
};
