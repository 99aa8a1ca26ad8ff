import * as z from 'zod';
import { assertDocumentFits } from './document-checks.ts';
import { MAX_PAGE_NUMBER, MIN_PRINTABLE_INCHES } from './limits.ts';
import { pageRangesProblem } from './page-ranges.ts';
import { CSS_LENGTH, cssLengthSchema as cssLength, marginProblem, PAPER_FORMATS } from './paper.ts';
import { pdfOutputOptions, pdfOutputProblems } from './pdf-output.ts';
import { templateProblem } from './template-policy.ts';

export { CSS_LENGTH, PAPER_FORMATS };

/** "1-5, 8, 11-13": Chromium's own page-range syntax, with page numbers it can take. */
const pageRanges = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = pageRangesProblem(value, MAX_PAGE_NUMBER);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const TEMPLATE_MAX_CHARS = 100_000;

/** Header and footer templates: markup, inline styles and data: images, nothing that loads or runs. */
const template = z
  .string()
  .max(TEMPLATE_MAX_CHARS)
  .superRefine((value, ctx) => {
    const problem = templateProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const renderOptionsSchema = z
  .strictObject({
    /** A4 when neither it nor `width` and `height` are given (filled in below). */
    format: z.enum(PAPER_FORMATS).optional(),
    margin: z
      .strictObject({
        top: cssLength.default('0'),
        right: cssLength.default('0'),
        bottom: cssLength.default('0'),
        left: cssLength.default('0'),
      })
      .default({ top: '0', right: '0', bottom: '0', left: '0' }),
    printBackground: z.boolean().default(true),
    scale: z.number().min(0.1).max(2).default(1),
    landscape: z.boolean().default(false),
    /** A CSS `@page { size }` wins over `format`; the margins are still checked against `format`, as Chromium does. */
    preferCSSPageSize: z.boolean().default(false),
    /** Tagged (accessible) PDF: a structure tree screen readers use. Off prints faster and smaller. */
    tagged: z.boolean().default(true),
    pageRanges: pageRanges.optional(),
    displayHeaderFooter: z.boolean().default(false),
    headerTemplate: template.optional(),
    footerTemplate: template.optional(),
    ...pdfOutputOptions,
  })
  .superRefine((options, ctx) => {
    const { issues, paper } = pdfOutputProblems(options);
    for (const { path, message } of issues) ctx.addIssue({ code: 'custom', path: [path], message });
    if (!paper) return;
    const problem = marginProblem(paper, options.landscape, options.margin, MIN_PRINTABLE_INCHES);
    if (problem) ctx.addIssue({ code: 'custom', path: ['margin'], message: problem });
  })
  .transform((options) =>
    options.width === undefined ? { ...options, format: options.format ?? ('A4' as const) } : options,
  );

export type RenderOptions = z.infer<typeof renderOptionsSchema>;

/** Shape shared by /quickjob and /longjob. `input_type` exists so other inputs (url, markdown) can come later. */
export const renderRequestShape = {
  input_type: z.literal('html'),
  html: z.string().min(1, 'must not be empty'),
  options: renderOptionsSchema.default(renderOptionsSchema.parse({})),
};

/**
 * Runs once the whole request is valid (zod skips an object's refinements while its fields have
 * issues). It throws its PodpdfError (IMAGE_TOO_LARGE, DOCUMENT_TOO_COMPLEX) out of the parse rather
 * than adding an issue: those codes carry details a validation issue cannot, and the parse of a
 * request is the one step both job endpoints share before anything is stored.
 */
const documentFits = (request: { html: string; options: RenderOptions }): void =>
  assertDocumentFits({
    html: request.html,
    headerTemplate: request.options.headerTemplate,
    footerTemplate: request.options.footerTemplate,
  });

export const quickjobRequestSchema = z.strictObject(renderRequestShape).superRefine(documentFits);
export type QuickjobRequest = z.infer<typeof quickjobRequestSchema>;

/** /longjob takes the same body plus an optional webhook for this job only. */
export const longjobRequestSchema = z
  .strictObject({
    ...renderRequestShape,
    webhook_url: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(2048)
      .optional(),
  })
  .superRefine(documentFits);
export type LongjobRequest = z.infer<typeof longjobRequestSchema>;
