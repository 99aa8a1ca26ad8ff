/**
 * `npm start`: the local podpdf API on http://127.0.0.1:${PODPDF_PORT:-3000}.
 *   PODPDF_DEV_API_KEYS  comma-separated keys to seed (one account each); one is generated otherwise
 *   PODPDF_DATA_DIR      keep DynamoDB/S3/SQS state in this directory across restarts
 */
import { prewarmRenderer } from '../renderer/pages.ts';
import { startLocalStack } from './stack.ts';

const port = Number(process.env.PODPDF_PORT ?? 3000);
const apiKeys = (process.env.PODPDF_DEV_API_KEYS ?? '')
  .split(',')
  .map((key) => key.trim())
  .filter(Boolean);

const stack = await startLocalStack({
  port,
  apiKeys,
  ...(process.env.PODPDF_DATA_DIR ? { dataDir: process.env.PODPDF_DATA_DIR } : {}),
});
const [firstKey] = stack.apiKeys;

console.log(`
podpdf local API listening on ${stack.url}
  DynamoDB (dynalite): ${stack.emulators.dynamodbEndpoint}
  S3 + SQS (fauxqs):   ${stack.emulators.awsEndpoint}
  state:               ${process.env.PODPDF_DATA_DIR ? `kept in ${process.env.PODPDF_DATA_DIR}` : 'in memory'}

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

// Launch Chromium and open its first page now: the first request does not pay for unpacking and starting it.
prewarmRenderer();

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
