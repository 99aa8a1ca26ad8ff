import * as z from 'zod';
import { assertDocumentFits } from './document-checks.ts';
import { MAX_PAGE_NUMBER, MAX_WAIT_DELAY_MS, MIN_PRINTABLE_INCHES } from './limits.ts';
import { markdownToHtml } from './markdown.ts';
import { pageRangesProblem } from './page-ranges.ts';
import { CSS_LENGTH, cssLengthSchema as cssLength, marginProblem, PAPER_FORMATS } from './paper.ts';
import { pdfOutputOptions, pdfOutputProblems } from './pdf-output.ts';
import { templateProblem } from './template-policy.ts';
import { type UrlSource, urlSourceSchema } from './url-source.ts';

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
const STYLESHEET_MAX_CHARS = 200_000;

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
    // Readiness and strictness: waits run in this order after the document loads, inside the deadline.
    waitUntil: z.enum(['load', 'networkidle']).default('load'),
    waitForSelector: z.string().trim().min(1).max(1_000).optional(),
    waitForExpression: z.string().trim().min(1).max(10_000).optional(),
    waitDelay: z.number().int().min(0).max(MAX_WAIT_DELAY_MS).optional(),
    emulatedMediaType: z.enum(['print', 'screen']).default('print'),
    failOnConsoleExceptions: z.boolean().default(false),
    failOnResourceLoadingFailed: z.boolean().default(false),
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

const htmlInput = { input_type: z.literal('html'), html: z.string().min(1, 'must not be empty') };
const markdownInput = {
  input_type: z.literal('markdown'),
  markdown: z.string().min(1, 'must not be empty'),
  /** Replaces the default print stylesheet. */
  css: z.string().max(STYLESHEET_MAX_CHARS).optional(),
  /** Raw HTML in the Markdown is kept as markup instead of shown as text. */
  allow_html: z.boolean().default(false),
};
const urlInput = { input_type: z.literal('url'), ...urlSourceSchema.shape };
/** Stamped across every page of a sandbox (`test: true`) job's PDF. */
export const SANDBOX_WATERMARK = 'SANDBOX';

const withOptions = {
  options: renderOptionsSchema.default(renderOptionsSchema.parse({})),
  /** Sandbox: rendered as usual with SANDBOX stamped on every page, and no PDF counted against the month's quota. */
  test: z.boolean().default(false),
};
const INPUT_TYPE_ERROR = { error: 'input_type must be "html", "markdown" or "url"' };

/**
 * What the renderer gets, whatever the input type: HTML (given, or made from the Markdown), or the
 * page at a URL with what its requests carry.
 */
export type RenderInput = { html: string } | { source: UrlSource };

type Parsed =
  | { input_type: 'html'; html: string }
  | { input_type: 'markdown'; markdown: string; css?: string | undefined; allow_html: boolean }
  | ({ input_type: 'url' } & UrlSource);

const renderInput = (request: Parsed): RenderInput => {
  if (request.input_type === 'html') return { html: request.html };
  if (request.input_type === 'markdown')
    return {
      html: markdownToHtml(request.markdown, {
        allowHtml: request.allow_html,
        ...(request.css === undefined ? {} : { css: request.css }),
      }),
    };
  const source: UrlSource = { url: request.url };
  for (const key of ['http_headers', 'cookies', 'user_agent', 'accept_statuses'] as const)
    if (request[key] !== undefined) Object.assign(source, { [key]: request[key] });
  return { source };
};

/**
 * Runs once the whole request is valid (zod skips an object's refinements while its fields have
 * issues). It throws its PodpdfError (IMAGE_TOO_LARGE, DOCUMENT_TOO_COMPLEX) out of the parse rather
 * than adding an issue: those codes carry details a validation issue cannot, and the parse of a
 * request is the one step both job endpoints share before anything is stored. A URL's document is
 * only known once loaded: the renderer's own limits apply to it.
 */
const documentFits = (request: { input: RenderInput; options: RenderOptions }): void => {
  if (!('html' in request.input)) return;
  assertDocumentFits({
    html: request.input.html,
    headerTemplate: request.options.headerTemplate,
    footerTemplate: request.options.footerTemplate,
  });
};

/** The request as sent, plus `input`: what to render. */
const withInput = <T extends Parsed>(request: T) => ({ ...request, input: renderInput(request) });

export const quickjobRequestSchema = z
  .discriminatedUnion(
    'input_type',
    [
      z.strictObject({ ...htmlInput, ...withOptions }),
      z.strictObject({ ...markdownInput, ...withOptions }),
      z.strictObject({ ...urlInput, ...withOptions }),
    ],
    INPUT_TYPE_ERROR,
  )
  .transform(withInput)
  .superRefine(documentFits);
export type QuickjobRequest = z.infer<typeof quickjobRequestSchema>;

/** /longjob takes the same bodies plus an optional webhook for this job only, and `dedupe`. */
const webhookUrl = {
  webhook_url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2048)
    .optional(),
  /** Answer with an identical job (same input and options) of the last 24 hours instead of a new one. */
  dedupe: z.boolean().default(false),
};
export const longjobRequestSchema = z
  .discriminatedUnion(
    'input_type',
    [
      z.strictObject({ ...htmlInput, ...withOptions, ...webhookUrl }),
      z.strictObject({ ...markdownInput, ...withOptions, ...webhookUrl }),
      z.strictObject({ ...urlInput, ...withOptions, ...webhookUrl }),
    ],
    INPUT_TYPE_ERROR,
  )
  .transform(withInput)
  .superRefine(documentFits);
export type LongjobRequest = z.infer<typeof longjobRequestSchema>;
