import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import type { JobView, LongjobInput, PodpdfClient, QuickjobInput } from '../client/index.ts';
import { PodpdfApiError } from '../client/index.ts';
import { COMMON_HELP, marginOption, numberOption, parse, positionals, UsageError } from './args.ts';
import { type CliIo, readAll, statusLine, write } from './io.ts';

export const RENDER_HELP = `Usage: podpdf render <input> [-o <output>] [options]

Renders HTML or Markdown (a file, or - for stdin) or a web page (--url) to PDF.

  <input>                  an .html or .md file, or - to read stdin
  -o, --output <file>      where to write the PDF; - for stdout
                           (default: the input's name with .pdf; stdout when reading stdin)
  --markdown | --html      the input's type (default: .md/.markdown files are Markdown, else HTML)
  --url <url>              render this page instead of an input file

Paper and layout:
  --format <name>          A3, A4 (default), A5, Letter, Legal, Tabloid
  --width <len> --height <len>   a custom paper size instead of --format ("100mm", "8in")
  --margin <lens>          1 to 4 CSS lengths as in CSS ("20mm", "1in 0.5in")
  --landscape              landscape orientation
  --scale <n>              0.1 to 2 (default 1)
  --pages <ranges>         page ranges, e.g. "1-5, 8"
  --no-background          do not print background colours and images
  --media-screen           apply @media screen styles instead of print
  --header <html>          header template (turns on header and footer)
  --footer <html>          footer template (turns on header and footer)
  --outline                bookmarks from the headings
  --untagged               an untagged PDF (faster, smaller, not accessible)
  --title <text>           the PDF's title
  --filename <name>        the download's file name (long jobs)

Waiting for the document:
  --wait-until <when>      load (default) or networkidle
  --wait-for <selector>    print once an element matches this CSS selector
  --wait-delay <ms>        a fixed pause before printing

Jobs:
  --test                   sandbox: SANDBOX stamped on every page, no PDF counted
  --async                  submit a long job and print its id (POST /longjob)
  --wait                   with --async: wait for it with a live status line, then write the PDF
  --webhook-url <url>      with --async: announce this job to that URL
  --idempotency-key <key>  with --async: send the same job only once
  --prefer-async           a quick job that is too big or slow continues as a long job

${COMMON_HELP}

Examples:
  podpdf render invoice.html -o invoice.pdf --format Letter --margin 20mm
  cat notes.md | podpdf render - --markdown -o - > notes.pdf
  podpdf render report.html --async --wait -o report.pdf`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  markdown: { type: 'boolean' },
  html: { type: 'boolean' },
  url: { type: 'string' },
  format: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  margin: { type: 'string' },
  landscape: { type: 'boolean' },
  scale: { type: 'string' },
  pages: { type: 'string' },
  'no-background': { type: 'boolean' },
  'media-screen': { type: 'boolean' },
  header: { type: 'string' },
  footer: { type: 'string' },
  outline: { type: 'boolean' },
  untagged: { type: 'boolean' },
  title: { type: 'string' },
  filename: { type: 'string' },
  'wait-until': { type: 'string' },
  'wait-for': { type: 'string' },
  'wait-delay': { type: 'string' },
  test: { type: 'boolean' },
  async: { type: 'boolean' },
  wait: { type: 'boolean' },
  'webhook-url': { type: 'string' },
  'idempotency-key': { type: 'string' },
  'prefer-async': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

/** The render options the flags ask for; the server validates the values (format names, lengths). */
const renderOptions = (values: Values): NonNullable<QuickjobInput['options']> => {
  const options: NonNullable<QuickjobInput['options']> = {};
  const set = <K extends keyof typeof options>(key: K, value: (typeof options)[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('format', values.format as (typeof options)['format']);
  set('width', values.width);
  set('height', values.height);
  set('margin', marginOption(values.margin));
  set('landscape', values.landscape);
  set('scale', numberOption('scale', values.scale));
  set('pageRanges', values.pages);
  if (values['no-background']) options.printBackground = false;
  if (values['media-screen']) options.emulatedMediaType = 'screen';
  if (values.header !== undefined || values.footer !== undefined) {
    options.displayHeaderFooter = true;
    options.headerTemplate = values.header ?? '<span></span>';
    options.footerTemplate = values.footer ?? '<span></span>';
  }
  set('outline', values.outline);
  if (values.untagged) options.tagged = false;
  if (values.title !== undefined) options.metadata = { title: values.title };
  set('filename', values.filename);
  set('waitUntil', values['wait-until'] as (typeof options)['waitUntil']);
  set('waitForSelector', values['wait-for']);
  set('waitDelay', numberOption('wait-delay', values['wait-delay'], true));
  return options;
};

const isMarkdownFile = (path: string) => ['.md', '.markdown'].includes(extname(path).toLowerCase());

/** The input and where the PDF goes: `-` is stdin / stdout. */
const source = async (values: Values, args: string[], io: CliIo) => {
  if (values.markdown && values.html) throw new UsageError('--markdown and --html exclude each other');
  if (values.url !== undefined) {
    positionals(args, []);
    const output = values.output ?? `${basename(new URL(values.url).pathname, '.html') || 'page'}.pdf`;
    return { body: { input_type: 'url' as const, url: values.url }, output };
  }
  const [input] = positionals(args, ['<input> (a file, or - for stdin)']) as [string];
  const text = input === '-' ? (await readAll(io.stdin)).toString('utf8') : await readInput(io, input);
  const markdown = values.markdown || (!values.html && input !== '-' && isMarkdownFile(input));
  const output =
    values.output ?? (input === '-' ? '-' : `${input.slice(0, -extname(input).length || undefined)}.pdf`);
  return {
    body: markdown
      ? { input_type: 'markdown' as const, markdown: text }
      : { input_type: 'html' as const, html: text },
    output,
  };
};

const readInput = async (io: CliIo, path: string): Promise<string> => {
  try {
    return await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
};

const writeOutput = async (io: CliIo, output: string, pdf: Uint8Array): Promise<void> => {
  if (output === '-') await write(io.stdout, pdf);
  else await writeFile(resolve(io.cwd, output), pdf);
};

const describeJob = (job: JobView): string => {
  const progress = `${Math.round(job.progress * 100)}%`;
  if (job.status === 'completed') return `job ${job.job_id}: completed, ${job.pages} page(s)`;
  if (job.status === 'queued' || job.status === 'processing')
    return `job ${job.job_id}: ${job.status}, ${job.stage} ${progress}`;
  return `job ${job.job_id}: ${job.status}`;
};

/**
 * Waits with a status line; SIGINT stops waiting (the job goes on). A job that ends without a PDF is
 * an error carrying its own error code.
 */
export const waitAndDownload = async (
  client: PodpdfClient,
  io: CliIo,
  jobId: string,
  output: string | undefined,
): Promise<JobView> => {
  const line = statusLine(io.stderr);
  const controller = new AbortController();
  const onSigint = () =>
    controller.abort(
      new PodpdfApiError({
        code: 'INTERRUPTED',
        status: 0,
        message: `stopped waiting; job ${jobId} goes on`,
      }),
    );
  process.on('SIGINT', onSigint);
  try {
    const job = await client.waitForJob(jobId, {
      signal: controller.signal,
      onPoll: (view) => line.update(describeJob(view)),
    });
    line.done();
    if (job.status !== 'completed')
      throw new PodpdfApiError({
        code: job.error_code ?? `JOB_${job.status.toUpperCase()}`,
        status: 0,
        message: job.error_message ?? `job ${jobId} is ${job.status}`,
      });
    if (output !== undefined) await writeOutput(io, output, await client.download(jobId));
    return job;
  } finally {
    line.done();
    process.off('SIGINT', onSigint);
  }
};

export const render = async (argv: string[], io: CliIo, client: () => PodpdfClient): Promise<number> => {
  const { values, positionals: args } = parse(argv, OPTIONS);
  if (values.help) {
    await write(io.stdout, `${RENDER_HELP}\n`);
    return 0;
  }
  if (!values.async)
    for (const name of ['wait', 'webhook-url', 'idempotency-key'] as const)
      if (values[name] !== undefined) throw new UsageError(`--${name} needs --async`);
  const options = renderOptions(values);
  const { body, output } = await source(values, args, io);
  const request = { ...body, options, ...(values.test ? { test: true } : {}) };
  const api = client();
  if (values.async) {
    const longjob: LongjobInput = {
      ...request,
      ...(values['webhook-url'] ? { webhook_url: values['webhook-url'] } : {}),
    };
    const key = values['idempotency-key'];
    const accepted = await api.longjob(longjob, key ? { idempotencyKey: key } : {});
    if (!values.wait) {
      await write(io.stdout, `${accepted.job_id}\n`);
      return 0;
    }
    const job = await waitAndDownload(api, io, accepted.job_id, output);
    if (output !== '-') io.stderr.write(`wrote ${output} (${job.pages} page(s))\n`);
    return 0;
  }
  const result = values['prefer-async']
    ? await api.quickjob(request, { respondAsync: true })
    : await api.quickjob(request);
  if ('async' in result) {
    io.stderr.write(`continued as long job ${result.accepted.job_id}\n`);
    const job = await waitAndDownload(api, io, result.accepted.job_id, output);
    if (output !== '-') io.stderr.write(`wrote ${output} (${job.pages} page(s))\n`);
    return 0;
  }
  await writeOutput(io, output, result.pdf);
  if (output !== '-')
    io.stderr.write(`wrote ${output} (${result.pages} page(s)${result.truncated ? ', truncated' : ''})\n`);
  return 0;
};
