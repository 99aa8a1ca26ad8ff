import * as z from 'zod';
import { FILENAME_MAX_CHARS, PAPER_SIDE_INCHES, PDF_METADATA_MAX_CHARS } from './limits.ts';
import {
  CSS_LENGTH,
  cssLengthSchema,
  cssLengthToInches,
  type Paper,
  type PaperFormat,
  paperOf,
} from './paper.ts';

/**
 * The PDF output options (custom paper, transparent background, outline, metadata, filename): one
 * block spread into `renderOptionsSchema`, with their cross-field rules in `pdfOutputProblems`.
 */

/**
 * Characters refused in text that ends up in a file's name or its Info dictionary: control
 * characters, unpaired surrogates (not encodable as UTF-8 or UTF-16), line and paragraph separators
 * and bidirectional overrides (which make "cod.exe" display as "exe.doc").
 */
const UNSAFE_TEXT = /[\p{Cc}\p{Cs}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

const metadataText = z
  .string()
  .max(PDF_METADATA_MAX_CHARS)
  .refine((value) => !UNSAFE_TEXT.test(value), 'must not contain control characters');

/** Info dictionary fields; each replaces what Chromium wrote (`title` the document's `<title>`). */
export const pdfMetadataSchema = z.strictObject({
  title: metadataText.optional(),
  author: metadataText.optional(),
  subject: metadataText.optional(),
  keywords: metadataText.optional(),
  creator: metadataText.optional(),
  creationDate: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as "2026-03-01T09:30:00+01:00"' })
    .optional(),
});
export type PdfMetadata = z.infer<typeof pdfMetadataSchema>;

/** `name` with `.pdf` appended unless it already ends in it (in any case). */
export const withPdfExtension = (name: string): string => (/\.pdf$/i.test(name) ? name : `${name}.pdf`);

const filenameProblem = (value: string): string | undefined => {
  if (value === '') return 'must not be empty';
  if (UNSAFE_TEXT.test(value)) return 'must not contain control characters';
  if (/[/\\]/.test(value)) return 'must not contain "/" or "\\"';
  if (/^\.*$/.test(value.replace(/\.pdf$/i, ''))) return 'must have a name before ".pdf"';
  if (withPdfExtension(value).length > FILENAME_MAX_CHARS)
    return `must be at most ${FILENAME_MAX_CHARS} characters, ".pdf" included`;
  return undefined;
};

const filename = z
  .string()
  .superRefine((value, ctx) => {
    const problem = filenameProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform(withPdfExtension);

export const pdfOutputOptions = {
  /** Custom paper, both sides or neither, instead of `format`. */
  width: cssLengthSchema.optional(),
  height: cssLengthSchema.optional(),
  /** No default page background: a document without a background of its own prints transparent. */
  omitBackground: z.boolean().default(false),
  /** Bookmarks from the document's headings (Chromium builds them from the tagged structure). */
  outline: z.boolean().default(false),
  metadata: pdfMetadataSchema.optional(),
  /** The download's name: Content-Disposition of the quick job's answer and of the stored PDF. */
  filename: filename.optional(),
};

interface PdfOutputFields {
  format?: PaperFormat | undefined;
  width?: string | undefined;
  height?: string | undefined;
  outline: boolean;
  tagged: boolean;
}

const inches = (value: number): string => `${value} in`;

/**
 * Issues of the options together (paper given one way only, sides in bounds, outline needs tags),
 * and the paper to check the margins against: undefined when the paper itself is not valid.
 */
export const pdfOutputProblems = (
  options: PdfOutputFields,
): { issues: Array<{ path: string; message: string }>; paper: Paper | undefined } => {
  const issues: Array<{ path: string; message: string }> = [];
  let paperValid = true;
  const custom = options.width !== undefined || options.height !== undefined;
  if (custom && options.format !== undefined) {
    issues.push({ path: 'format', message: 'give either format or width and height, not both' });
    paperValid = false;
  }
  for (const side of ['width', 'height'] as const) {
    const other = side === 'width' ? 'height' : 'width';
    const value = options[side];
    if (value === undefined) {
      if (options[other] !== undefined)
        issues.push({ path: side, message: `is required with ${other}: give both sides of the paper` });
      continue;
    }
    // A value that is no CSS length has its issue already.
    const size = CSS_LENGTH.test(value) ? cssLengthToInches(value) : Number.NaN;
    if (size >= PAPER_SIDE_INCHES.min && size <= PAPER_SIDE_INCHES.max) continue;
    paperValid = false;
    if (!Number.isNaN(size))
      issues.push({
        path: side,
        message: `must be from ${inches(PAPER_SIDE_INCHES.min)} to ${inches(PAPER_SIDE_INCHES.max)} (is ${Number(size.toFixed(2))} in)`,
      });
  }
  if (options.outline && !options.tagged)
    issues.push({
      path: 'outline',
      message: 'needs a tagged PDF: Chromium builds the outline from its tags',
    });
  return { issues, paper: paperValid ? paperOf(options) : undefined };
};
