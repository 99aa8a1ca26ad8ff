import {
  createClient,
  PodpdfApiError,
  type PodpdfClient,
  WebhookVerificationError,
} from '../client/index.ts';
import { PODPDF_VERSION } from '../version.ts';
import { UsageError } from './args.ts';
import { account, jobs, verify, webhook } from './commands.ts';
import { type CliIo, write } from './io.ts';
import { render } from './render.ts';

export const MAIN_HELP = `Usage: podpdf <command> [options]

Commands:
  render <input> -o <out.pdf>   render HTML, Markdown or a URL to PDF (--async --wait for long jobs)
  jobs list|get|wait|download|cancel|retry|redeliver
                                the account's jobs
  webhook show|set|rotate|delete
                                the account's default webhook and signing secret
  account                       the account, plan and usage
  verify-webhook                check a received webhook's signature

Environment:
  PODPDF_API_URL   the API's base URL, e.g. http://127.0.0.1:3000 (or --api-url)
  PODPDF_API_KEY   the API key (or --api-key)

Run "podpdf <command> --help" for a command's options.
Exit codes: 0 done, 1 the API (or the job) answered an error, 2 a usage error.`;

const COMMANDS: Record<string, (argv: string[], io: CliIo, client: () => PodpdfClient) => Promise<number>> = {
  render,
  jobs,
  webhook,
  account,
  'verify-webhook': (argv, io) => verify(argv, io),
};

/** The client from --api-url/--api-key or the environment; built only by commands that call the API. */
const clientFrom = (argv: string[], io: CliIo) => (): PodpdfClient => {
  const flag = (name: string) => {
    const index = argv.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
    if (index < 0) return undefined;
    const arg = argv[index] as string;
    return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1];
  };
  const baseUrl = flag('api-url') ?? io.env.PODPDF_API_URL;
  const apiKey = flag('api-key') ?? io.env.PODPDF_API_KEY;
  if (!baseUrl) throw new UsageError('no API URL: set PODPDF_API_URL or pass --api-url');
  if (!apiKey) throw new UsageError('no API key: set PODPDF_API_KEY or pass --api-key');
  return createClient({ baseUrl, apiKey });
};

/**
 * Runs one command line (without `node` and the script) and returns the exit code: 0 done, 1 an API
 * or job error (`error CODE: message` on stderr), 2 a usage error.
 */
export const run = async (argv: string[], io: CliIo): Promise<number> => {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    await write(command === undefined ? io.stderr : io.stdout, `${MAIN_HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    await write(io.stdout, `${PODPDF_VERSION}\n`);
    return 0;
  }
  const handler = COMMANDS[command];
  try {
    if (!handler) throw new UsageError(`unknown command: ${command}`);
    return await handler(rest, io, clientFrom(rest, io));
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error USAGE: ${error.message}\n`);
      io.stderr.write(`Run "podpdf ${handler ? `${command} ` : ''}--help" for usage.\n`);
      return 2;
    }
    if (error instanceof PodpdfApiError) {
      io.stderr.write(`error ${error.code}: ${error.message}\n`);
      if (error.code === 'INTERRUPTED') return 130;
      if (error.details) io.stderr.write(`details: ${JSON.stringify(error.details)}\n`);
      if (error.requestId) io.stderr.write(`request id: ${error.requestId}\n`);
      return 1;
    }
    if (error instanceof WebhookVerificationError) {
      io.stderr.write(`error INVALID_SIGNATURE: ${error.message}\n`);
      return 1;
    }
    const cause = error instanceof Error ? error : new Error(String(error));
    // fetch failures (connection refused, DNS) say why in their cause.
    const network = cause.message === 'fetch failed';
    const reason = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
    io.stderr.write(`error ${network ? 'NETWORK_ERROR' : 'ERROR'}: ${cause.message}${reason}\n`);
    return 1;
  }
};
