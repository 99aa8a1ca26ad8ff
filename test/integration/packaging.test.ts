import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';

const run = promisify(execFile);

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
type Statement = { Sid: string; Effect: string; Action: string[]; Resource: unknown };

describe('npm run package (osls, offline)', () => {
  let template: Template;
  let zipListing: string;

  before(async () => {
    await run('npm', ['run', 'package'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    });
    const dir = join(PROJECT_ROOT, '.serverless');
    template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
    zipListing = (await run('python3', ['-m', 'zipfile', '-l', join(dir, 'podpdf.zip')])).stdout;
  });

  const resourcesOf = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  it('defines the quickjob function for Chromium on nodejs22.x', () => {
    const fn = template.Resources.QuickjobLambdaFunction?.Properties;
    assert.ok(fn);
    assert.equal(fn.Runtime, 'nodejs22.x');
    assert.equal(fn.Handler, 'dist/handlers/quickjob.handler');
    assert.equal(fn.MemorySize, 10240);
    assert.ok(fn.Timeout <= 30, 'fits the HTTP API 30 s limit');
    assert.deepEqual(fn.Role, { 'Fn::GetAtt': ['QuickjobRole', 'Arn'] });
    assert.deepEqual(fn.Environment.Variables.JOBS_TABLE, { Ref: 'JobDetailsTable' });
    assert.deepEqual(fn.Environment.Variables.USERS_TABLE, { Ref: 'UsersTable' });
  });

  it('routes POST /quickjob through the HTTP API', () => {
    const routes = resourcesOf('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    assert.deepEqual(routes, ['POST /quickjob']);
  });

  it('creates the tables with their keys, indexes and TTL', () => {
    const tables = Object.fromEntries(
      resourcesOf('AWS::DynamoDB::Table').map(([id, r]) => [id, r.Properties as Record<string, any>]),
    );
    assert.deepEqual(Object.keys(tables).sort(), ['AnalyticsTable', 'JobDetailsTable', 'UsersTable']);
    assert.equal(tables.JobDetailsTable?.TableName, 'podpdf-dev-job-details');
    assert.deepEqual(tables.JobDetailsTable?.KeySchema, [{ AttributeName: 'job_id', KeyType: 'HASH' }]);
    assert.deepEqual(tables.JobDetailsTable?.GlobalSecondaryIndexes[0].KeySchema, [
      { AttributeName: 'owner', KeyType: 'HASH' },
      { AttributeName: 'created_at', KeyType: 'RANGE' },
    ]);
    assert.deepEqual(tables.JobDetailsTable?.TimeToLiveSpecification, {
      AttributeName: 'ttl',
      Enabled: true,
    });
    assert.deepEqual(tables.AnalyticsTable?.TimeToLiveSpecification, { AttributeName: 'ttl', Enabled: true });
    assert.equal(tables.UsersTable?.GlobalSecondaryIndexes[0].IndexName, 'ApiKeyHashIndex');
  });

  it('scopes the quickjob role to its own tables, index and log group', () => {
    const statements = template.Resources.QuickjobRole?.Properties.Policies[0].PolicyDocument
      .Statement as Statement[];
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    assert.deepEqual(bySid.ResolveApiKeys?.Action, ['dynamodb:Query']);
    assert.deepEqual(bySid.ResolveApiKeys?.Resource, {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template
      'Fn::Sub': '${UsersTable.Arn}/index/ApiKeyHashIndex',
    });
    assert.deepEqual(bySid.RecordJobs?.Resource, { 'Fn::GetAtt': ['JobDetailsTable', 'Arn'] });
    assert.deepEqual(bySid.RecordAnalytics?.Resource, { 'Fn::GetAtt': ['AnalyticsTable', 'Arn'] });
    assert.match(
      JSON.stringify(bySid.WriteOwnLogs?.Resource),
      /log-group:\/aws\/lambda\/podpdf-dev-quickjob:\*/,
    );
    for (const statement of statements) {
      assert.equal(statement.Effect, 'Allow');
      assert.ok(
        !JSON.stringify(statement.Resource).match(/"\*"/),
        `${statement.Sid} is not on every resource`,
      );
      assert.ok(!statement.Action.some((a) => a.endsWith(':*')), `${statement.Sid} lists its actions`);
    }
  });

  it('ships the handler bundle and the Chromium package in the artifact', () => {
    assert.match(zipListing, /dist\/handlers\/quickjob\.js/);
    assert.match(zipListing, /dist\/node_modules\/@sparticuz\/chromium\/bin\/chromium\.br/);
    assert.match(zipListing, /dist\/node_modules\/@sparticuz\/chromium\/build\/index\.js/);
    assert.doesNotMatch(zipListing, /^\s*src\//m);
  });
});
