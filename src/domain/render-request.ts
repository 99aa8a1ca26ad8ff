import { z } from 'zod';

/** CSS lengths Chromium's printToPDF accepts: a number with an optional px, in, cm or mm unit (px if none). */
export const CSS_LENGTH = /^(\d+(?:\.\d+)?)(px|in|cm|mm)?$/;

const cssLength = z
  .string()
  .trim()
  .regex(CSS_LENGTH, 'must be a CSS length such as "20mm", "1in", "0.5cm" or "12px"');

/** "1-5, 8, 11-13": Chromium's own page-range syntax. */
const pageRanges = z
  .string()
  .trim()
  .regex(/^\d+(\s*-\s*\d*)?(\s*,\s*\d+(\s*-\s*\d*)?)*$/, 'must look like "1-5, 8, 11-13"');

const TEMPLATE_MAX_CHARS = 100_000;

export const PAPER_FORMATS = ['A3', 'A4', 'A5', 'Letter', 'Legal', 'Tabloid'] as const;

export const renderOptionsSchema = z.strictObject({
  format: z.enum(PAPER_FORMATS).default('A4'),
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
  preferCSSPageSize: z.boolean().default(false),
  /** Tagged (accessible) PDF: a structure tree screen readers use. Off prints faster and smaller. */
  tagged: z.boolean().default(true),
  pageRanges: pageRanges.optional(),
  displayHeaderFooter: z.boolean().default(false),
  headerTemplate: z.string().max(TEMPLATE_MAX_CHARS).optional(),
  footerTemplate: z.string().max(TEMPLATE_MAX_CHARS).optional(),
});

export type RenderOptions = z.infer<typeof renderOptionsSchema>;

/** Shape shared by /quickjob and /longjob. `input_type` exists so other inputs (url, markdown) can come later. */
export const renderRequestShape = {
  input_type: z.literal('html'),
  html: z.string().min(1, 'must not be empty'),
  options: renderOptionsSchema.default(renderOptionsSchema.parse({})),
};

export const quickjobRequestSchema = z.strictObject(renderRequestShape);
export type QuickjobRequest = z.infer<typeof quickjobRequestSchema>;

/** /longjob takes the same body plus an optional webhook for this job only. */
export const longjobRequestSchema = z.strictObject({
  ...renderRequestShape,
  webhook_url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2048)
    .optional(),
});
export type LongjobRequest = z.infer<typeof longjobRequestSchema>;
