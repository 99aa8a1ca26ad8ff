/**
 * `npm start`: the local podpdf API on http://127.0.0.1:${PODPDF_PORT:-3000}.
 *   PODPDF_DEV_API_KEYS  comma-separated keys to seed (one account each); one is generated otherwise
 *   PODPDF_DATA_DIR      keep DynamoDB/S3/SQS state (and the generated key) here across restarts
 *   PODPDF_DYNAMODB_ENDPOINT, PODPDF_AWS_ENDPOINT
 *                        use the emulators `npm run emulators` started instead of starting them here
 */
import { chromiumNeedsUnpacking, getBrowser } from '../renderer/browser.ts';
import { closeRenderer, prewarmRenderer } from '../renderer/pages.ts';
import { formatAccessLog } from './api-bridge.ts';
import { useProjectTmpdir } from './project-tmpdir.ts';
import { readLocalSettings, SettingsError } from './settings.ts';
import { type LocalStack, startLocalStack } from './stack.ts';

/** Prints `lines` and ends the process: what went wrong, without a stack trace. */
function fail(lines: string): never {
  console.error(`podpdf could not start:\n${lines.replace(/^/gm, '  ')}`);
  process.exit(1);
}

const describeStartError = (err: unknown, port: number): string => {
  const { code, message } = err as { code?: string; message?: string };
  if (code === 'EADDRINUSE')
    return `port ${port} is in use on 127.0.0.1. Stop what holds it, or pick another: PODPDF_PORT=${port < 65_535 ? port + 1 : 3001} npm start`;
  if (err instanceof SettingsError) return err.message;
  return message ?? String(err);
};

let settings: ReturnType<typeof readLocalSettings>;
try {
  settings = readLocalSettings(process.env);
} catch (err) {
  fail(describeStartError(err, 0));
}
const { PODPDF_PORT: port, PODPDF_DEV_API_KEYS: apiKeys, PODPDF_DATA_DIR: dataDir } = settings;
const emulators =
  settings.PODPDF_DYNAMODB_ENDPOINT && settings.PODPDF_AWS_ENDPOINT
    ? { dynamodbEndpoint: settings.PODPDF_DYNAMODB_ENDPOINT, awsEndpoint: settings.PODPDF_AWS_ENDPOINT }
    : undefined;

// Chromium is started first, so a binary that cannot run is reported here rather than as a 503 on
// the first request, and the first request pays for neither unpacking nor launching it.
useProjectTmpdir();
if (chromiumNeedsUnpacking()) console.log('Unpacking Chromium (first start only, a few seconds)...');
try {
  await getBrowser();
  prewarmRenderer();
} catch (err) {
  await closeRenderer();
  fail(`Chromium could not be started: ${describeStartError(err, port)}`);
}

let stack: LocalStack;
try {
  stack = await startLocalStack({
    port,
    apiKeys,
    onAnswer: (entry) => console.log(formatAccessLog(entry)),
    ...(dataDir ? { dataDir } : {}),
    ...(emulators ? { emulators } : {}),
  });
} catch (err) {
  await closeRenderer();
  fail(describeStartError(err, port));
}

const [firstKey] = stack.apiKeys;
console.log(`
podpdf local API listening on ${stack.url}
  web console:         ${stack.url}/
  DynamoDB (dynalite): ${stack.emulators.dynamodbEndpoint}
  S3 + SQS (fauxqs):   ${stack.emulators.awsEndpoint}
  state:               ${emulators ? 'in the emulators given' : dataDir ? `kept in ${dataDir}` : 'in memory'}

API key${stack.apiKeys.length > 1 ? 's' : ''}:
${stack.apiKeys.map((key) => `  ${key}`).join('\n')}

Try it:
  curl -sS -X POST ${stack.url}/quickjob \\
    -H "Authorization: Bearer ${firstKey}" \\
    -H "Content-Type: application/json" \\
    -d '{"input_type":"html","html":"<h1>Hello from podpdf</h1>"}' \\
    -D - -o out.pdf

Ctrl-C stops everything.
`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping podpdf local stack...`);
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
