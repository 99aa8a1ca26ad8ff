import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { createTables } from '../../src/local/aws-resources.ts';
import { startEmulators } from '../../src/local/emulators.ts';
import { loadServiceDefinition, tableDefinitions } from '../../src/local/service-definition.ts';

// The emulators take any credentials; the SDK only needs some (the local stack sets the same).
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

const def = loadServiceDefinition('local');
const jobsTable = tableDefinitions(def).find((t) => t.TableName?.endsWith('-job-details'));

describe('local tables in a kept PODPDF_DATA_DIR', () => {
  it('rebuilds a jobs table of the old shape with the new index, keeping its rows', async () => {
    assert.ok(jobsTable);
    const dataDir = mkdtempSync(join(tmpdir(), 'podpdf-tables-'));
    try {
      // A data dir from before OwnerUpdatedAtIndex: the jobs table without it, holding rows.
      const old = await startEmulators(dataDir);
      const client = new DynamoDBClient({ endpoint: old.dynamodbEndpoint, region: def.region });
      await client.send(
        new CreateTableCommand({
          ...jobsTable,
          AttributeDefinitions: jobsTable.AttributeDefinitions?.filter(
            (a) => a.AttributeName !== 'updated_at',
          ),
          GlobalSecondaryIndexes: jobsTable.GlobalSecondaryIndexes?.filter(
            (i) => i.IndexName !== 'OwnerUpdatedAtIndex',
          ),
        }),
      );
      for (let i = 0; i < 30; i += 1) {
        const at = new Date(Date.UTC(2025, 4, 1, 0, 0, i)).toISOString();
        await client.send(
          new PutItemCommand({
            TableName: jobsTable.TableName,
            Item: {
              job_id: { S: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` },
              owner: { S: 'acct' },
              created_at: { S: at },
              status: { S: 'completed' },
              // Half the rows already carry updated_at (written by a newer build before the restart).
              ...(i % 2 ? { updated_at: { S: at } } : {}),
            },
          }),
        );
      }
      client.destroy();
      await old.stop();

      const emulators = await startEmulators(dataDir);
      const again = new DynamoDBClient({ endpoint: emulators.dynamodbEndpoint, region: def.region });
      try {
        const lines = await createTables(def, emulators.dynamodbEndpoint);
        assert.deepEqual(lines, [`${jobsTable.TableName}: rebuilt with 30 rows to add OwnerUpdatedAtIndex`]);
        const { Table } = await again.send(new DescribeTableCommand({ TableName: jobsTable.TableName }));
        assert.deepEqual(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort(), [
          'OwnerActiveIndex',
          'OwnerCreatedAtIndex',
          'OwnerUpdatedAtIndex',
        ]);
        const rows = await again.send(new ScanCommand({ TableName: jobsTable.TableName }));
        assert.equal(rows.Count, 30);
        const changed = await again.send(
          new QueryCommand({
            TableName: jobsTable.TableName,
            IndexName: 'OwnerUpdatedAtIndex',
            KeyConditionExpression: '#o = :o',
            ExpressionAttributeNames: { '#o': 'owner' },
            ExpressionAttributeValues: { ':o': { S: 'acct' } },
          }),
        );
        assert.equal(changed.Count, 15, 'the rows with updated_at are in the new index');
        // Once rebuilt, a restart leaves the tables alone.
        assert.deepEqual(await createTables(def, emulators.dynamodbEndpoint), []);
      } finally {
        again.destroy();
        await emulators.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
