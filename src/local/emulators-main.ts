/**
 * `npm run emulators`: DynamoDB (dynalite), S3 and SQS (fauxqs) on loopback in a process of their own,
 * for `npm start` to use through PODPDF_DYNAMODB_ENDPOINT and PODPDF_AWS_ENDPOINT. The state outlives
 * podpdf restarts, and the CPU and memory of podpdf's process are its own (the benchmark runs this way).
 *   PODPDF_DATA_DIR  keep the state on disk here as well
 */
import { startEmulators } from './emulators.ts';
import { readLocalSettings, SettingsError } from './settings.ts';

let dataDir: string | undefined;
try {
  dataDir = readLocalSettings(process.env).PODPDF_DATA_DIR;
} catch (err) {
  if (!(err instanceof SettingsError)) throw err;
  console.error(`podpdf emulators could not start:\n  ${err.message.replace(/\n/g, '\n  ')}`);
  process.exit(1);
}

const emulators = await startEmulators(dataDir);
console.log(`
podpdf emulators running (state ${dataDir ? `kept in ${dataDir}` : 'in memory'})
  DynamoDB (dynalite): ${emulators.dynamodbEndpoint}
  S3 + SQS (fauxqs):   ${emulators.awsEndpoint}

Start podpdf against them:
  PODPDF_DYNAMODB_ENDPOINT=${emulators.dynamodbEndpoint} PODPDF_AWS_ENDPOINT=${emulators.awsEndpoint} npm start

Ctrl-C stops them.
`);

const shutdown = () => {
  void emulators.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
