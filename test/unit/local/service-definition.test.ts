import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bucketDefinitions,
  functionEnvironment,
  loadServiceDefinition,
  queueDefinitions,
  rateMs,
  resolveEnvironment,
  tableDefinitions,
} from '../../../src/local/service-definition.ts';

describe('service definition', () => {
  const def = loadServiceDefinition('teststage');

  it('maps each function to its TypeScript source and routes', () => {
    const quickjob = def.functions.find((f) => f.name === 'quickjob');
    assert.deepEqual(quickjob, {
      name: 'quickjob',
      sourceFile: 'src/handlers/quickjob.ts',
      exportName: 'handler',
      timeoutSeconds: 29,
      httpRoutes: [
        { method: 'POST', path: '/quickjob' },
        { method: 'GET', path: '/health' },
      ],
      queueTriggers: [],
      schedules: [],
      environment: { PODPDF_PREWARM_BROWSER: 'true' },
    });
    const processor = def.functions.find((f) => f.name === 'processor');
    assert.equal(processor?.sourceFile, 'src/handlers/processor.ts');
    assert.equal(processor?.timeoutSeconds, 900);
    assert.deepEqual(processor?.queueTriggers, [
      { queue: 'LongjobQueue', batchSize: 5, reportBatchItemFailures: true },
    ]);
    assert.deepEqual(processor?.environment, { PODPDF_PREWARM_BROWSER: 'true' });
    const jobs = def.functions.find((f) => f.name === 'jobs');
    assert.deepEqual(
      jobs?.httpRoutes.map((r) => `${r.method} ${r.path}`),
      [
        'GET /jobs',
        'GET /jobs/{job_id}',
        'GET /jobs/{job_id}/download',
        'DELETE /jobs/{job_id}',
        'POST /jobs/{job_id}/retry',
        'POST /jobs/{job_id}/webhook/redeliver',
      ],
    );
    const webConsole = def.functions.find((f) => f.name === 'console');
    assert.equal(webConsole?.sourceFile, 'src/handlers/console.ts');
    assert.deepEqual(
      webConsole?.httpRoutes.map((r) => `${r.method} ${r.path}`),
      ['GET /', 'GET /console/{file}'],
    );
    const webhook = def.functions.find((f) => f.name === 'webhook');
    assert.deepEqual(webhook?.queueTriggers, [
      { queue: 'WebhookQueue', batchSize: 10, reportBatchItemFailures: true },
    ]);
  });

  it("reads schedule events, with a deployment parameter's default for the rate", () => {
    const sweeper = def.functions.find((f) => f.name === 'sweeper');
    assert.equal(sweeper?.sourceFile, 'src/handlers/sweeper.ts');
    assert.deepEqual(sweeper?.schedules, [{ expression: 'rate(5 minutes)', everyMs: 300_000 }]);
    assert.deepEqual(sweeper?.queueTriggers, []);
    assert.deepEqual(sweeper?.httpRoutes, []);
    assert.deepEqual(
      def.functions.filter((f) => f.schedules.length > 0).map((f) => f.name),
      ['sweeper'],
    );
  });

  it('turns rate expressions into periods and refuses what it cannot run', () => {
    assert.equal(rateMs('rate(1 minute)'), 60_000);
    assert.equal(rateMs('rate(2 hours)'), 7_200_000);
    assert.equal(rateMs('rate(1 day)'), 86_400_000);
    assert.throws(() => rateMs('cron(0 12 * * ? *)'), /rate\(\) schedules only/);
  });

  it('reads queues (dead-letter first, with the redrive policy) and the bucket', () => {
    assert.deepEqual(queueDefinitions(def), [
      {
        logicalId: 'LongjobDeadLetterQueue',
        name: 'podpdf-teststage-longjob-dlq',
        visibilityTimeoutSeconds: 60,
        retentionSeconds: 1_209_600,
      },
      {
        logicalId: 'WebhookDeadLetterQueue',
        name: 'podpdf-teststage-webhook-dlq',
        visibilityTimeoutSeconds: 30,
        retentionSeconds: 1_209_600,
      },
      {
        logicalId: 'LongjobQueue',
        name: 'podpdf-teststage-longjob-queue',
        visibilityTimeoutSeconds: 900,
        retentionSeconds: 1_209_600,
        redrive: { deadLetterQueue: 'LongjobDeadLetterQueue', maxReceiveCount: 3 },
      },
      {
        logicalId: 'WebhookQueue',
        name: 'podpdf-teststage-webhook-queue',
        visibilityTimeoutSeconds: 120,
        retentionSeconds: 172_800,
        redrive: { deadLetterQueue: 'WebhookDeadLetterQueue', maxReceiveCount: 100 },
      },
    ]);
    assert.deepEqual(bucketDefinitions(def), [
      { logicalId: 'PdfBucket', name: 'podpdf-teststage-pdfs', expirationDays: 1 },
    ]);
  });

  it('creates the tables resources.yml declares, with their indexes', () => {
    const tables = tableDefinitions(def);
    const names = tables.map((t) => t.TableName).sort();
    assert.deepEqual(names, [
      'podpdf-teststage-analytics',
      'podpdf-teststage-idempotency',
      'podpdf-teststage-job-details',
      'podpdf-teststage-usage',
      'podpdf-teststage-users',
      'podpdf-teststage-webhook-endpoints',
    ]);
    const jobs = tables.find((t) => t.TableName === 'podpdf-teststage-job-details');
    assert.deepEqual(
      jobs?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema?.map((k) => k.AttributeName)]),
      [
        ['OwnerCreatedAtIndex', ['owner', 'created_at']],
        ['OwnerActiveIndex', ['active_owner', 'created_at']],
        ['OwnerUpdatedAtIndex', ['owner', 'updated_at']],
      ],
    );
  });

  it('resolves references in the environment to table and bucket names and queue URLs', () => {
    const env = resolveEnvironment(def, {
      LongjobQueue: 'http://127.0.0.1:9/000000000000/q',
      WebhookQueue: 'http://127.0.0.1:9/000000000000/w',
    });
    assert.equal(env.LONGJOB_QUEUE_URL, 'http://127.0.0.1:9/000000000000/q');
    assert.equal(env.WEBHOOK_QUEUE_URL, 'http://127.0.0.1:9/000000000000/w');
    assert.equal(env.WEBHOOK_ENDPOINTS_TABLE, 'podpdf-teststage-webhook-endpoints');
    assert.equal(env.PDF_BUCKET, 'podpdf-teststage-pdfs');
    assert.equal(env.IDEMPOTENCY_TABLE, 'podpdf-teststage-idempotency');
    assert.throws(() => resolveEnvironment(def), /LONGJOB_QUEUE_URL/);
    assert.equal(env.USERS_TABLE, 'podpdf-teststage-users');
    assert.equal(env.JOBS_TABLE, 'podpdf-teststage-job-details');
    assert.equal(env.ANALYTICS_TABLE, 'podpdf-teststage-analytics');
    assert.equal(env.PODPDF_STAGE, 'teststage');
    // The functions' own settings apply too; NODE_OPTIONS only starts a process.
    assert.equal(env.PODPDF_PREWARM_BROWSER, 'true');
    assert.equal(env.NODE_OPTIONS, undefined);
  });

  it('refuses two functions that set one variable differently: one process cannot hold both', () => {
    const [first, second] = def.functions;
    assert.ok(first && second);
    const clash = {
      ...def,
      functions: [
        { ...first, environment: { PODPDF_LOG_LEVEL: 'debug' } },
        { ...second, environment: { PODPDF_LOG_LEVEL: 'warn' } },
      ],
    };
    assert.throws(() => functionEnvironment(clash), /PODPDF_LOG_LEVEL to "debug" and "warn"/);
    const agree = { ...clash, functions: clash.functions.map((f) => ({ ...f, environment: { A: '1' } })) };
    assert.deepEqual(functionEnvironment(agree), { A: '1' });
  });
});
