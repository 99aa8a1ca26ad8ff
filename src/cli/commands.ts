import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { JobStatus, JobView, PodpdfClient } from '../client/index.ts';
import { verifyWebhook } from '../client/index.ts';
import { COMMON_HELP, numberOption, parse, positionals, UsageError } from './args.ts';
import { type CliIo, readAll, write } from './io.ts';
import { waitAndDownload } from './render.ts';

export const JOBS_HELP = `Usage: podpdf jobs <list|get|wait|download|cancel|retry|redeliver> [options]

  jobs list [--status <s>] [--since <time>] [--limit <n>] [--all] [--json]
                           the account's jobs, newest first (with --since: changed since, oldest first);
                           one page unless --all follows every page
  jobs get <job_id>        the job as JSON
  jobs wait <job_id> [-o <file>]   wait with a live status line; write the PDF with -o (- for stdout)
  jobs download <job_id> -o <file> the PDF of a completed long job (- for stdout)
  jobs cancel <job_id>     cancel a queued long job
  jobs retry <job_id>      run a failed long job again
  jobs redeliver <job_id>  send the job's webhook again

${COMMON_HELP}`;

export const WEBHOOK_HELP = `Usage: podpdf webhook <show|set|rotate|delete> [options]

  webhook show             the account's webhook settings as JSON
  webhook set <url>        set the default webhook URL; prints the signing secret the first time
  webhook rotate           replace the signing secret; prints the new one
  webhook delete           remove the default webhook URL (the secret stays)

${COMMON_HELP}`;

export const VERIFY_HELP = `Usage: podpdf verify-webhook [<body file>|-] --secret <whsec_…> --id <id> --timestamp <t> --signature <sig>

Checks a webhook's Standard Webhooks signature and prints its payload; exits 1 when it does not verify.

  <body file>              the raw body as received (default: -, stdin)
  --secret <whsec_…>       the signing secret (default: $PODPDF_WEBHOOK_SECRET)
  --id, --timestamp, --signature   the webhook-id, webhook-timestamp and webhook-signature headers
  -H, --header "name: value"       a header as received (repeatable), instead of the three above

No API call is made: --api-url and --api-key are not needed.
  -h, --help               show this help`;

export const ACCOUNT_HELP = `Usage: podpdf account

The account, its plan, usage and webhook settings as JSON.

${COMMON_HELP}`;

const json = (io: CliIo, value: unknown) => write(io.stdout, `${JSON.stringify(value, null, 2)}\n`);

const JOB_STATUSES = ['queued', 'processing', 'completed', 'failed', 'timeout', 'cancelled'];

const jobRow = (job: JobView): string =>
  [
    job.job_id,
    job.job_type.padEnd(5),
    job.status.padEnd(10),
    job.created_at,
    job.pages === null ? '' : `${job.pages}p`,
    job.error_code ?? '',
  ]
    .join('  ')
    .trimEnd();

export const jobs = async (argv: string[], io: CliIo, client: () => PodpdfClient): Promise<number> => {
  const { values, positionals: args } = parse(argv, {
    status: { type: 'string' },
    since: { type: 'string' },
    limit: { type: 'string' },
    all: { type: 'boolean' },
    json: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
  });
  const [sub, ...rest] = args;
  if (values.help || sub === undefined) {
    await write(values.help ? io.stdout : io.stderr, `${JOBS_HELP}\n`);
    return values.help ? 0 : 2;
  }
  if (sub === 'list') {
    positionals(rest, []);
    if (values.status !== undefined && !JOB_STATUSES.includes(values.status))
      throw new UsageError(`--status must be one of ${JOB_STATUSES.join(', ')}`);
    const limit = numberOption('limit', values.limit, true);
    const pages = client().listJobs({
      ...(values.status ? { status: values.status as JobStatus } : {}),
      ...(values.since ? { since: values.since } : {}),
      ...(limit === undefined ? {} : { limit }),
    });
    const listed: JobView[] = [];
    for await (const page of pages) {
      listed.push(...page.jobs);
      if (!values.json) for (const job of page.jobs) await write(io.stdout, `${jobRow(job)}\n`);
      if (!values.all) {
        if (page.next_cursor && !values.json) io.stderr.write('more jobs: use --all to list every page\n');
        break;
      }
    }
    if (values.json) await json(io, listed);
    return 0;
  }
  const [id] = positionals(rest, ['<job_id>']) as [string];
  const api = client();
  if (sub === 'get') await json(io, await api.getJob(id));
  else if (sub === 'cancel') await json(io, await api.cancelJob(id));
  else if (sub === 'retry') await json(io, await api.retryJob(id));
  else if (sub === 'redeliver') await json(io, await api.redeliverWebhook(id));
  else if (sub === 'wait') {
    const job = await waitAndDownload(api, io, id, values.output);
    if (values.output !== '-') await json(io, job); // stdout carries the PDF otherwise
  } else if (sub === 'download') {
    if (values.output === undefined)
      throw new UsageError('jobs download needs -o <file> (or -o - for stdout)');
    await waitAndDownload(api, io, id, values.output);
  } else throw new UsageError(`unknown jobs command: ${sub}`);
  return 0;
};

export const webhook = async (argv: string[], io: CliIo, client: () => PodpdfClient): Promise<number> => {
  const { values, positionals: args } = parse(argv, {});
  const [sub, ...rest] = args;
  if (values.help || sub === undefined) {
    await write(values.help ? io.stdout : io.stderr, `${WEBHOOK_HELP}\n`);
    return values.help ? 0 : 2;
  }
  if (sub === 'set') {
    const [url] = positionals(rest, ['<url>']) as [string];
    await json(io, await client().setWebhook(url));
  } else if (sub === 'show') {
    positionals(rest, []);
    await json(io, (await client().getAccount()).webhook);
  } else if (sub === 'rotate') {
    positionals(rest, []);
    await json(io, await client().rotateWebhookSecret());
  } else if (sub === 'delete') {
    positionals(rest, []);
    await client().deleteWebhook();
  } else throw new UsageError(`unknown webhook command: ${sub}`);
  return 0;
};

export const account = async (argv: string[], io: CliIo, client: () => PodpdfClient): Promise<number> => {
  const { values, positionals: args } = parse(argv, {});
  if (values.help) {
    await write(io.stdout, `${ACCOUNT_HELP}\n`);
    return 0;
  }
  positionals(args, []);
  await json(io, await client().getAccount());
  return 0;
};

export const verify = async (argv: string[], io: CliIo): Promise<number> => {
  const { values, positionals: args } = parse(argv, {
    secret: { type: 'string' },
    id: { type: 'string' },
    timestamp: { type: 'string' },
    signature: { type: 'string' },
    header: { type: 'string', short: 'H', multiple: true },
  });
  if (values.help) {
    await write(io.stdout, `${VERIFY_HELP}\n`);
    return 0;
  }
  if (args.length > 1) throw new UsageError(`unexpected argument: ${args[1]}`);
  const secret = values.secret ?? io.env.PODPDF_WEBHOOK_SECRET;
  if (!secret) throw new UsageError('--secret (or $PODPDF_WEBHOOK_SECRET) is required');
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon < 1) throw new UsageError(`--header must be "name: value", got "${header}"`);
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  if (values.id) headers['webhook-id'] = values.id;
  if (values.timestamp) headers['webhook-timestamp'] = values.timestamp;
  if (values.signature) headers['webhook-signature'] = values.signature;
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'])
    if (!headers[name]) throw new UsageError(`the ${name} header is required (--${name.slice(8)} or -H)`);
  const [file = '-'] = args;
  const body = file === '-' ? await readAll(io.stdin) : await readFile(resolve(io.cwd, file));
  await json(io, verifyWebhook(secret, body, headers));
  return 0;
};
