import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  loadServiceDefinition,
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
      httpRoutes: [{ method: 'POST', path: '/quickjob' }],
    });
  });

  it('creates the tables resources.yml declares, with their indexes', () => {
    const tables = tableDefinitions(def);
    const names = tables.map((t) => t.TableName).sort();
    assert.deepEqual(names, [
      'podpdf-teststage-analytics',
      'podpdf-teststage-job-details',
      'podpdf-teststage-users',
    ]);
    const jobs = tables.find((t) => t.TableName === 'podpdf-teststage-job-details');
    assert.deepEqual(
      jobs?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema?.map((k) => k.AttributeName)]),
      [['OwnerCreatedAtIndex', ['owner', 'created_at']]],
    );
  });

  it('resolves table references in the environment to table names', () => {
    const env = resolveEnvironment(def);
    assert.equal(env.USERS_TABLE, 'podpdf-teststage-users');
    assert.equal(env.JOBS_TABLE, 'podpdf-teststage-job-details');
    assert.equal(env.ANALYTICS_TABLE, 'podpdf-teststage-analytics');
    assert.equal(env.PODPDF_STAGE, 'teststage');
  });
});
