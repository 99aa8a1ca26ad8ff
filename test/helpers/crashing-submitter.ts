/**
 * A local stack (test-only, never deployed) whose process dies the moment a long-job submission is
 * about to send its queue message: the job row is written, the message never goes out, as when a
 * Lambda runtime crashes between the two. Runs against emulators another process owns
 * (PODPDF_DYNAMODB_ENDPOINT, PODPDF_AWS_ENDPOINT), with the keys in PODPDF_DEV_API_KEYS; prints
 * `READY <url>` once it answers.
 */
import { usePorts } from '../../src/app/ports.ts';
import { startLocalStack } from '../../src/local/stack.ts';
import { UNLIMITED_PLAN } from './stack.ts';

const stack = await startLocalStack({
  emulators: {
    dynamodbEndpoint: String(process.env.PODPDF_DYNAMODB_ENDPOINT),
    awsEndpoint: String(process.env.PODPDF_AWS_ENDPOINT),
  },
  apiKeys: String(process.env.PODPDF_DEV_API_KEYS).split(','),
  pollQueues: false,
  runSchedules: false,
  env: { PODPDF_LOG_LEVEL: 'silent', ...UNLIMITED_PLAN },
});
usePorts({
  queue: {
    enqueueLongjob: async () => {
      // No finally block, no compensation: the process is gone, as after an out-of-memory kill.
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => undefined);
    },
  },
});
console.log(`READY ${stack.url}`);
