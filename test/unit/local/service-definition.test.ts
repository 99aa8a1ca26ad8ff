import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bucketDefinitions,
  functionEnvironment,
  loadServiceDefinition,
  queueDefinitions,
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
      ],
    );
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
        logicalId: 'LongjobQueue',
        name: 'podpdf-teststage-longjob-queue',
        visibilityTimeoutSeconds: 900,
        retentionSeconds: 1_209_600,
        redrive: { deadLetterQueue: 'LongjobDeadLetterQueue', maxReceiveCount: 3 },
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
    const env = resolveEnvironment(def, { LongjobQueue: 'http://127.0.0.1:9/000000000000/q' });
    assert.equal(env.LONGJOB_QUEUE_URL, 'http://127.0.0.1:9/000000000000/q');
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
