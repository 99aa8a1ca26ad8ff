import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';
import { fontNames, isPdf, parsePdf } from '../helpers/pdf.ts';
import { pagedHtml, startTestStack, type TestStack } from '../helpers/stack.ts';

const run = promisify(execFile);

type Template = {
  Resources: Record<
    string,
    { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
  >;
};
type Statement = { Sid: string; Effect: string; Action: string[]; Resource: unknown; Condition?: unknown };

const SERVERLESS_DIR = join(PROJECT_ROOT, '.serverless');
/** serverless.yml's functions and the file each one's handler is built from. */
const FUNCTIONS: Record<string, string> = {
  quickjob: 'quickjob',
  longjob: 'longjob',
  processor: 'processor',
  deadLetter: 'dead-letter',
  webhook: 'webhook',
  sweeper: 'sweeper',
  jobs: 'jobs',
  accounts: 'accounts',
  console: 'console',
};
const RENDERING = new Set(['quickjob', 'processor']);

/** The paths in a zip, from Python's zipfile (the test already needs python3 to unpack). */
const zipFiles = async (zip: string): Promise<string[]> =>
  (
    await run('python3', [
      '-c',
      'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
      zip,
    ])
  ).stdout
    .split('\n')
    .filter(Boolean);

describe('npm run package (osls, offline)', () => {
  let template: Template;
  /** Each function's artifact: its zip and the files in it. */
  const artifacts = new Map<string, { zip: string; files: string[] }>();

  before(async () => {
    await run('npm', ['run', 'package'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    });
    template = JSON.parse(
      readFileSync(join(SERVERLESS_DIR, 'cloudformation-template-update-stack.json'), 'utf8'),
    );
    for (const fn of Object.keys(FUNCTIONS)) {
      const zip = join(SERVERLESS_DIR, `${fn}.zip`);
      artifacts.set(fn, { zip, files: await zipFiles(zip) });
    }
  });

  const resourcesOf = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  it('defines the quickjob function for Chromium on nodejs22.x', () => {
    const fn = template.Resources.QuickjobLambdaFunction?.Properties;
    assert.ok(fn);
    assert.equal(fn.Runtime, 'nodejs22.x');
    assert.equal(fn.Handler, 'dist/handlers/quickjob.handler');
    assert.equal(fn.MemorySize, 3538);
    assert.ok(fn.Timeout <= 30, 'fits the HTTP API 30 s limit');
    assert.deepEqual(fn.Role, { 'Fn::GetAtt': ['QuickjobRole', 'Arn'] });
    assert.deepEqual(fn.Environment.Variables.JOBS_TABLE, { Ref: 'JobDetailsTable' });
    assert.deepEqual(fn.Environment.Variables.USERS_TABLE, { Ref: 'UsersTable' });
  });

  it('routes every endpoint through the HTTP API', () => {
    const routes = resourcesOf('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    assert.deepEqual(routes, [
      'DELETE /accounts/me/webhook',
      'DELETE /jobs/{job_id}',
      'GET /',
      'GET /accounts/me',
      'GET /console/{file}',
      'GET /health',
      'GET /jobs',
      'GET /jobs/{job_id}',
      'GET /jobs/{job_id}/download',
      'GET /openapi.json',
      'POST /accounts/me/webhook/rotate-secret',
      'POST /jobs/{job_id}/retry',
      'POST /jobs/{job_id}/webhook/redeliver',
      'POST /longjob',
      'POST /quickjob',
      'PUT /accounts/me/webhook',
    ]);
  });

  it('sizes each function for its work and gives it its own role', () => {
    const functions = Object.fromEntries(
      resourcesOf('AWS::Lambda::Function').map(([, r]) => [r.Properties.FunctionName, r.Properties]),
    );
    const expected: Record<string, [string, number, number, string]> = {
      'podpdf-dev-quickjob': ['dist/handlers/quickjob.handler', 3538, 29, 'QuickjobRole'],
      'podpdf-dev-longjob': ['dist/handlers/longjob.handler', 1024, 20, 'LongjobRole'],
      'podpdf-dev-processor': ['dist/handlers/processor.handler', 10240, 900, 'ProcessorRole'],
      'podpdf-dev-deadLetter': ['dist/handlers/dead-letter.handler', 512, 60, 'DeadLetterRole'],
      'podpdf-dev-webhook': ['dist/handlers/webhook.handler', 512, 60, 'WebhookRole'],
      'podpdf-dev-sweeper': ['dist/handlers/sweeper.handler', 512, 60, 'SweeperRole'],
      'podpdf-dev-jobs': ['dist/handlers/jobs.handler', 1024, 10, 'JobsRole'],
      'podpdf-dev-accounts': ['dist/handlers/accounts.handler', 1024, 10, 'AccountsRole'],
      'podpdf-dev-console': ['dist/handlers/console.handler', 256, 5, 'ConsoleRole'],
    };
    assert.deepEqual(Object.keys(functions).sort(), Object.keys(expected).sort());
    for (const [name, [handler, memory, timeout, role]] of Object.entries(expected)) {
      const fn = functions[name];
      assert.equal(fn.Runtime, 'nodejs22.x', name);
      assert.equal(fn.Handler, handler, name);
      assert.equal(fn.MemorySize, memory, name);
      assert.equal(fn.Timeout, timeout, name);
      assert.deepEqual(fn.Role, { 'Fn::GetAtt': [role, 'Arn'] }, name);
      assert.deepEqual(fn.Environment.Variables.LONGJOB_QUEUE_URL, { Ref: 'LongjobQueue' }, name);
      assert.deepEqual(fn.Environment.Variables.PDF_BUCKET, { Ref: 'PdfBucket' }, name);
      assert.deepEqual(fn.Environment.Variables.WEBHOOK_QUEUE_URL, { Ref: 'WebhookQueue' }, name);
    }
  });

  it('feeds the processor from the queue and the dead-letter handler from the DLQ', () => {
    const mappings = resourcesOf('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);
    const byFunction = Object.fromEntries(mappings.map((m) => [m.FunctionName['Fn::GetAtt'][0], m]));
    assert.deepEqual(byFunction.ProcessorLambdaFunction?.EventSourceArn, {
      'Fn::GetAtt': ['LongjobQueue', 'Arn'],
    });
    assert.equal(byFunction.ProcessorLambdaFunction?.BatchSize, 5);
    // A ceiling on the renders a flood of long jobs can start: they wait in the queue beyond it.
    assert.deepEqual(byFunction.ProcessorLambdaFunction?.ScalingConfig, { MaximumConcurrency: 10 });
    assert.deepEqual(byFunction.ProcessorLambdaFunction?.FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.deepEqual(byFunction.DeadLetterLambdaFunction?.EventSourceArn, {
      'Fn::GetAtt': ['LongjobDeadLetterQueue', 'Arn'],
    });
    assert.deepEqual(byFunction.DeadLetterLambdaFunction?.FunctionResponseTypes, ['ReportBatchItemFailures']);
    // Webhooks: their own function on their own queue, capped so slow receivers hold few functions.
    assert.deepEqual(byFunction.WebhookLambdaFunction?.EventSourceArn, {
      'Fn::GetAtt': ['WebhookQueue', 'Arn'],
    });
    assert.deepEqual(byFunction.WebhookLambdaFunction?.ScalingConfig, { MaximumConcurrency: 5 });
    assert.deepEqual(byFunction.WebhookLambdaFunction?.FunctionResponseTypes, ['ReportBatchItemFailures']);
  });

  it('keeps webhook deliveries on a queue of their own, past the function timeout and 12-hour waits', () => {
    const queue = template.Resources.WebhookQueue?.Properties;
    const webhookFunction = template.Resources.WebhookLambdaFunction?.Properties;
    assert.equal(queue?.QueueName, 'podpdf-dev-webhook-queue');
    assert.ok(
      queue?.VisibilityTimeout > webhookFunction?.Timeout,
      'an attempt in flight is never handed out twice',
    );
    assert.ok(queue?.MessageRetentionPeriod >= 86_400, 'a round outlives its day of retries');
    assert.deepEqual(queue?.RedrivePolicy.deadLetterTargetArn, {
      'Fn::GetAtt': ['WebhookDeadLetterQueue', 'Arn'],
    });
    assert.ok(queue?.RedrivePolicy.maxReceiveCount >= 50, 'retries and deferrals all count as receives');
    const endpoints = template.Resources.WebhookEndpointsTable?.Properties;
    assert.deepEqual(endpoints?.KeySchema, [{ AttributeName: 'endpoint', KeyType: 'HASH' }]);
    assert.deepEqual(endpoints?.TimeToLiveSpecification, { AttributeName: 'ttl', Enabled: true });
  });

  it('defines the queue, its dead-letter queue and the private bucket', () => {
    const queue = template.Resources.LongjobQueue?.Properties;
    assert.equal(queue?.QueueName, 'podpdf-dev-longjob-queue');
    assert.equal(queue?.VisibilityTimeout, 900);
    assert.equal(queue?.MessageRetentionPeriod, 1209600);
    assert.deepEqual(queue?.RedrivePolicy, {
      deadLetterTargetArn: { 'Fn::GetAtt': ['LongjobDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 3,
    });
    assert.equal(template.Resources.LongjobDeadLetterQueue?.Properties.MessageRetentionPeriod, 1209600);
    const bucket = template.Resources.PdfBucket?.Properties;
    assert.equal(bucket?.BucketName, 'podpdf-dev-pdfs');
    assert.deepEqual(bucket?.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    assert.equal(
      bucket?.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
      'AES256',
    );
    assert.equal(bucket?.LifecycleConfiguration.Rules[0].ExpirationInDays, 1);
  });

  it('creates the tables with their keys, indexes and TTL', () => {
    const tables = Object.fromEntries(
      resourcesOf('AWS::DynamoDB::Table').map(([id, r]) => [id, r.Properties as Record<string, any>]),
    );
    assert.deepEqual(Object.keys(tables).sort(), [
      'AnalyticsTable',
      'IdempotencyTable',
      'JobDetailsTable',
      'UsageTable',
      'UsersTable',
      'WebhookEndpointsTable',
    ]);
    assert.deepEqual(tables.UsageTable?.KeySchema, [{ AttributeName: 'user_id', KeyType: 'HASH' }]);
    assert.deepEqual(tables.IdempotencyTable?.TimeToLiveSpecification, {
      AttributeName: 'ttl',
      Enabled: true,
    });
    assert.equal(tables.JobDetailsTable?.TableName, 'podpdf-dev-job-details');
    assert.deepEqual(tables.JobDetailsTable?.KeySchema, [{ AttributeName: 'job_id', KeyType: 'HASH' }]);
    assert.deepEqual(tables.JobDetailsTable?.GlobalSecondaryIndexes[0].KeySchema, [
      { AttributeName: 'owner', KeyType: 'HASH' },
      { AttributeName: 'created_at', KeyType: 'RANGE' },
    ]);
    const jobIndexes = Object.fromEntries(
      (
        (tables.JobDetailsTable?.GlobalSecondaryIndexes ?? []) as Array<{
          IndexName: string;
          KeySchema: unknown;
        }>
      ).map((index) => [index.IndexName, index.KeySchema]),
    );
    assert.deepEqual(jobIndexes.OwnerUpdatedAtIndex, [
      { AttributeName: 'owner', KeyType: 'HASH' },
      { AttributeName: 'updated_at', KeyType: 'RANGE' },
    ]);
    assert.ok(
      ((tables.JobDetailsTable?.AttributeDefinitions ?? []) as Array<{ AttributeName: string }>).some(
        (a) => a.AttributeName === 'updated_at',
      ),
    );
    assert.deepEqual(tables.JobDetailsTable?.TimeToLiveSpecification, {
      AttributeName: 'ttl',
      Enabled: true,
    });
    assert.deepEqual(tables.AnalyticsTable?.TimeToLiveSpecification, { AttributeName: 'ttl', Enabled: true });
    assert.equal(tables.UsersTable?.GlobalSecondaryIndexes[0].IndexName, 'ApiKeyHashIndex');
  });

  it('scopes every role to named resources, S3 prefixes and its own log group', () => {
    const roles = resourcesOf('AWS::IAM::Role');
    assert.equal(roles.length, 9);
    for (const [id, role] of roles) {
      for (const statement of role.Properties.Policies[0].PolicyDocument.Statement as Statement[]) {
        const resource = JSON.stringify(statement.Resource);
        assert.ok(!/"\*"/.test(resource), `${id}.${statement.Sid} is not on every resource`);
        assert.ok(!statement.Action.some((a) => a.endsWith(':*') || a === '*'), `${id}.${statement.Sid}`);
        if (statement.Action.some((a) => a.startsWith('s3:'))) {
          assert.match(
            resource,
            /PdfBucket\.Arn\}\/(inputs|pdfs)\/\*/,
            `${id}.${statement.Sid} is limited to a prefix`,
          );
        }
      }
    }
    const statements = (id: string): Record<string, Statement> => {
      const list = template.Resources[id]?.Properties.Policies[0].PolicyDocument.Statement as Statement[];
      return Object.fromEntries(list.map((statement) => [statement.Sid, statement]));
    };
    assert.deepEqual(statements('LongjobRole').StoreInputs?.Action, ['s3:PutObject', 's3:DeleteObject']);
    assert.deepEqual(statements('LongjobRole').ReadWebhookSettings?.Action, ['dynamodb:GetItem']);
    // Only the webhook function signs webhooks: it alone reads the secret and the endpoint breakers.
    assert.deepEqual(statements('WebhookRole').SignPdfUrls?.Action, ['s3:GetObject']);
    assert.equal(
      statements('WebhookRole').ReadWebhookSecret?.Action.join(),
      'dynamodb:GetItem,dynamodb:UpdateItem',
    );
    assert.deepEqual(statements('WebhookRole').ConsumeWebhookQueue?.Action, [
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:GetQueueAttributes',
    ]);
    assert.deepEqual(statements('WebhookRole').EndpointBreakers?.Resource, {
      'Fn::GetAtt': ['WebhookEndpointsTable', 'Arn'],
    });
    for (const role of [
      'ProcessorRole',
      'DeadLetterRole',
      'JobsRole',
      'QuickjobRole',
      'LongjobRole',
      'AccountsRole',
    ]) {
      const all = JSON.stringify(Object.values(statements(role)));
      assert.ok(!all.includes('WebhookEndpointsTable'), `${role} never touches the breakers`);
      assert.ok(!all.includes('ChangeMessageVisibility'), role);
    }
    for (const role of ['ProcessorRole', 'DeadLetterRole']) {
      assert.ok(
        !JSON.stringify(Object.values(statements(role))).includes('UsersTable'),
        `${role} reads no secret`,
      );
      assert.deepEqual(statements(role).HandOffWebhooks?.Action, ['sqs:SendMessage'], role);
      assert.deepEqual(
        statements(role).HandOffWebhooks?.Resource,
        { 'Fn::GetAtt': ['WebhookQueue', 'Arn'] },
        role,
      );
    }
    assert.deepEqual(statements('JobsRole').RedeliverWebhooks?.Action, ['sqs:SendMessage']);
    assert.deepEqual(statements('LongjobRole').Enqueue?.Resource, { 'Fn::GetAtt': ['LongjobQueue', 'Arn'] });
    assert.deepEqual(statements('ProcessorRole').ReadInputs?.Action, ['s3:GetObject']);
    // Retry: the jobs function reads stored inputs back, queues the job and lists by updated_at.
    assert.deepEqual(statements('JobsRole').ReadInputsToRetry?.Action, ['s3:GetObject']);
    assert.match(
      JSON.stringify(statements('JobsRole').ReadInputsToRetry?.Resource),
      /PdfBucket\.Arn\}\/inputs\/\*/,
    );
    assert.deepEqual(statements('JobsRole').EnqueueRetries?.Action, ['sqs:SendMessage']);
    assert.deepEqual(statements('JobsRole').EnqueueRetries?.Resource, {
      'Fn::GetAtt': ['LongjobQueue', 'Arn'],
    });
    assert.ok(
      JSON.stringify(statements('JobsRole').ListJobs?.Resource).includes('/index/OwnerUpdatedAtIndex'),
    );
    assert.deepEqual(statements('ProcessorRole').ConsumeQueue?.Resource, {
      'Fn::GetAtt': ['LongjobQueue', 'Arn'],
    });
    assert.deepEqual(statements('DeadLetterRole').ConsumeDeadLetters?.Resource, {
      'Fn::GetAtt': ['LongjobDeadLetterQueue', 'Arn'],
    });
    assert.equal(
      statements('AccountsRole').WebhookSettings?.Action.join(),
      'dynamodb:GetItem,dynamodb:UpdateItem',
    );
    // Metering: the HTTP functions read and write the Usage table; the long-job workers only release.
    const usageTable = { 'Fn::GetAtt': ['UsageTable', 'Arn'] };
    for (const role of ['QuickjobRole', 'LongjobRole', 'JobsRole', 'AccountsRole']) {
      assert.equal(statements(role).MeterUsage?.Action.join(), 'dynamodb:GetItem,dynamodb:UpdateItem', role);
      assert.deepEqual(statements(role).MeterUsage?.Resource, usageTable, role);
    }
    for (const role of ['ProcessorRole', 'DeadLetterRole', 'SweeperRole']) {
      assert.deepEqual(statements(role).ReleaseActiveJobs?.Action, ['dynamodb:UpdateItem'], role);
      assert.deepEqual(statements(role).ReleaseActiveJobs?.Resource, usageTable, role);
    }
  });

  it('encrypts webhook secrets with a retained, rotated KMS key only the signing and sealing roles use', () => {
    const key = template.Resources.WebhookSecretsKey;
    assert.equal(key?.Type, 'AWS::KMS::Key');
    assert.equal(key?.DeletionPolicy, 'Retain');
    assert.equal(key?.UpdateReplacePolicy, 'Retain');
    assert.equal(key?.Properties.EnableKeyRotation, true);
    assert.equal(key?.Properties.KeySpec, 'SYMMETRIC_DEFAULT');
    const [admin, ...others] = key?.Properties.KeyPolicy.Statement ?? [];
    assert.deepEqual(others, [], 'the key policy only delegates to IAM');
    assert.deepEqual(admin.Principal, {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template
      AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' },
    });
    assert.deepEqual(template.Resources.WebhookSecretsKeyAlias?.Properties, {
      AliasName: 'alias/podpdf-dev-webhook-secrets',
      TargetKeyId: { Ref: 'WebhookSecretsKey' },
    });

    const keyArn = { 'Fn::GetAtt': ['WebhookSecretsKey', 'Arn'] };
    const kmsActions = (role: string) =>
      (
        (template.Resources[role]?.Properties.Policies[0].PolicyDocument.Statement ?? []) as Statement[]
      ).filter((s) => s.Action.some((a) => a.startsWith('kms:')));
    // Sealing creates a data key; opening decrypts one; nobody else touches the key.
    const expected: Record<string, string[]> = {
      AccountsRole: ['kms:GenerateDataKey'],
      WebhookRole: ['kms:Decrypt'],
      ProcessorRole: [],
      DeadLetterRole: [],
      QuickjobRole: [],
      LongjobRole: [],
      JobsRole: [],
      SweeperRole: [],
      ConsoleRole: [],
    };
    for (const [role, actions] of Object.entries(expected)) {
      const statements = kmsActions(role);
      assert.deepEqual(
        statements.flatMap((s) => s.Action),
        actions,
        role,
      );
      for (const statement of statements) {
        assert.deepEqual(statement.Resource, keyArn, `${role}: the key only`);
        assert.deepEqual(
          statement.Condition,
          {
            StringEquals: { 'kms:EncryptionContext:purpose': 'webhook-signing-secret' },
            Null: { 'kms:EncryptionContext:user_id': 'false' },
          },
          `${role}: for a webhook secret bound to an account`,
        );
      }
    }
    // The key's ARN reaches the functions that use it, and no other.
    for (const [, { Properties: fn }] of resourcesOf('AWS::Lambda::Function')) {
      const name = fn.FunctionName as string;
      const uses = ['podpdf-dev-accounts', 'podpdf-dev-webhook'].includes(name);
      assert.deepEqual(fn.Environment.Variables.PODPDF_SECRETS_KEY_ID, uses ? keyArn : undefined, name);
    }
  });

  it('runs the sweeper every 5 minutes with only what it needs', () => {
    const rules = resourcesOf('AWS::Events::Rule').map(([, r]) => r.Properties);
    assert.equal(rules.length, 1);
    assert.equal(rules[0]?.ScheduleExpression, 'rate(5 minutes)');
    assert.equal(rules[0]?.State, 'ENABLED');
    assert.deepEqual(rules[0]?.Targets[0].Arn, { 'Fn::GetAtt': ['SweeperLambdaFunction', 'Arn'] });
    const permissions = resourcesOf('AWS::Lambda::Permission')
      .map(([, r]) => r.Properties)
      .filter((p) => p.Principal === 'events.amazonaws.com');
    assert.deepEqual(
      permissions.map((p) => p.FunctionName),
      [{ 'Fn::GetAtt': ['SweeperLambdaFunction', 'Arn'] }],
    );

    const list = template.Resources.SweeperRole?.Properties.Policies[0].PolicyDocument
      .Statement as Statement[];
    const bySid = Object.fromEntries(list.map((statement) => [statement.Sid, statement]));
    const jobs = { 'Fn::GetAtt': ['JobDetailsTable', 'Arn'] };
    assert.deepEqual(Object.fromEntries(list.map((s) => [s.Sid, s.Action.join()])), {
      WriteOwnLogs: 'logs:CreateLogStream,logs:PutLogEvents',
      // The sparse index of queued and processing jobs, not the table: no Scan of every job.
      ScanActiveJobs: 'dynamodb:Scan',
      SettleJobs: 'dynamodb:GetItem,dynamodb:UpdateItem',
      Requeue: 'sqs:SendMessage,sqs:GetQueueAttributes',
      ReleaseActiveJobs: 'dynamodb:UpdateItem',
      RecordAnalytics: 'dynamodb:PutItem',
      HandOffWebhooks: 'sqs:SendMessage',
    });
    assert.deepEqual(bySid.ScanActiveJobs?.Resource, {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template
      'Fn::Sub': '${JobDetailsTable.Arn}/index/OwnerActiveIndex',
    });
    assert.deepEqual(bySid.SettleJobs?.Resource, jobs);
    assert.deepEqual(bySid.Requeue?.Resource, { 'Fn::GetAtt': ['LongjobQueue', 'Arn'] });
    assert.deepEqual(bySid.HandOffWebhooks?.Resource, { 'Fn::GetAtt': ['WebhookQueue', 'Arn'] });
    assert.deepEqual(bySid.RecordAnalytics?.Resource, { 'Fn::GetAtt': ['AnalyticsTable', 'Arn'] });
    assert.match(
      JSON.stringify(bySid.WriteOwnLogs?.Resource),
      /log-group:\/aws\/lambda\/podpdf-dev-sweeper:\*/,
    );
    // No S3: a job it fails has no PDF to sign a link to.
    assert.ok(!list.some((s) => s.Action.some((a) => a.startsWith('s3:'))));
  });

  it('throttles the HTTP API stage in front of every route, and logs every request', () => {
    const stage = template.Resources.HttpApiStage?.Properties;
    assert.deepEqual(stage?.DefaultRouteSettings, { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    assert.deepEqual(stage?.AccessLogSettings?.DestinationArn, { 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
  });

  it('raises alarms on the dead-letter queue, processor errors, throttles and the API 5xx rate', () => {
    const alarms = Object.fromEntries(
      resourcesOf('AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties as Record<string, any>]),
    );
    assert.deepEqual(Object.keys(alarms).sort(), [
      'Api5xxAlarm',
      'DeadLetterQueueNotEmptyAlarm',
      'ProcessorErrorsAlarm',
      'ThrottlesAlarm',
      'WebhookDeadLetterQueueNotEmptyAlarm',
      'WebhookFailureRateAlarm',
    ]);
    assert.deepEqual(alarms.WebhookDeadLetterQueueNotEmptyAlarm?.Dimensions, [
      { Name: 'QueueName', Value: { 'Fn::GetAtt': ['WebhookDeadLetterQueue', 'QueueName'] } },
    ]);
    // The failure rate reads the EMF metric the webhook function writes (metrics.ts), by its dimensions.
    const failed = alarms.WebhookFailureRateAlarm?.Metrics.find((m: { Id: string }) => m.Id === 'failed');
    assert.equal(failed?.MetricStat.Metric.Namespace, 'podpdf');
    assert.equal(failed?.MetricStat.Metric.MetricName, 'WebhookAttempts');
    assert.deepEqual(failed?.MetricStat.Metric.Dimensions, [
      { Name: 'service', Value: 'podpdf' },
      { Name: 'stage', Value: 'dev' },
      { Name: 'outcome', Value: 'failed' },
    ]);
    assert.equal(alarms.WebhookFailureRateAlarm?.Threshold, 0.5);
    assert.deepEqual(alarms.DeadLetterQueueNotEmptyAlarm?.Dimensions, [
      { Name: 'QueueName', Value: { 'Fn::GetAtt': ['LongjobDeadLetterQueue', 'QueueName'] } },
    ]);
    assert.equal(alarms.DeadLetterQueueNotEmptyAlarm?.Threshold, 0);
    assert.equal(alarms.ProcessorErrorsAlarm?.Dimensions[0].Value, 'podpdf-dev-processor');
    assert.equal(alarms.Api5xxAlarm?.Threshold, 0.05);
    // Without an alarmTopicArn parameter the alarms notify nobody; with one, that topic.
    for (const alarm of Object.values(alarms))
      assert.deepEqual(alarm.AlarmActions, { 'Fn::If': ['NotifyAlarms', [''], { Ref: 'AWS::NoValue' }] });
  });

  it('keeps the accounts, recovers the job records and refuses S3 access without TLS', () => {
    const users = template.Resources.UsersTable;
    assert.equal(users?.DeletionPolicy, 'Retain');
    assert.equal(users?.UpdateReplacePolicy, 'Retain');
    assert.equal(users?.Properties.DeletionProtectionEnabled, true);
    for (const table of ['UsersTable', 'JobDetailsTable'])
      assert.deepEqual(template.Resources[table]?.Properties.PointInTimeRecoverySpecification, {
        PointInTimeRecoveryEnabled: true,
      });
    const [statement] = template.Resources.PdfBucketPolicy?.Properties.PolicyDocument.Statement ?? [];
    assert.equal(statement?.Effect, 'Deny');
    assert.deepEqual(statement?.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
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
    // GET /health's deep check reads the queue's attributes, nothing more.
    assert.deepEqual(bySid.CheckQueue?.Action, ['sqs:GetQueueAttributes']);
    assert.deepEqual(bySid.CheckQueue?.Resource, { 'Fn::GetAtt': ['LongjobQueue', 'Arn'] });
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

  it('ships each function only what it loads: Chromium only where it renders, no source maps', (t) => {
    for (const [fn, file] of Object.entries(FUNCTIONS)) {
      const artifact = artifacts.get(fn);
      assert.ok(artifact, `${fn} has an artifact of its own`);
      const { files, zip } = artifact;
      t.diagnostic(`${fn}: ${(statSync(zip).size / 1e6).toFixed(1)} MB zipped, ${files.length} files`);
      assert.ok(files.includes(`dist/handlers/${file}.js`), `${fn} has its entry`);
      assert.ok(files.includes(`dist/runtime/${file}.js`), `${fn} has its bundle`);
      const renders = RENDERING.has(fn);
      for (const shipped of [
        'dist/runtime/browser.js',
        'dist/runtime/pdf-lib.js',
        'dist/node_modules/@sparticuz/chromium/bin/chromium.br',
        'dist/node_modules/@sparticuz/chromium/build/index.js',
        'fonts/fonts.conf',
        'fonts/bundled/noto-sans/NotoSans_400Regular.ttf',
        'fonts/bundled/noto-sans/OFL.txt',
        'fonts/bundled/noto-sans-sc/NotoSansSC_700Bold.ttf',
        'fonts/bundled/noto-color-emoji/NotoColorEmoji_400Regular.ttf',
        'fonts/extra/README.md',
      ]) {
        assert.equal(files.includes(shipped), renders, `${fn} ${renders ? 'has' : 'lacks'} ${shipped}`);
      }
      // The KMS client only where secrets are sealed or opened.
      const bundle = readFileSync(join(PROJECT_ROOT, 'dist/runtime', `${file}.js`), 'utf8');
      const withKms = ['accounts', 'webhook'].includes(fn);
      assert.equal(
        bundle.includes('GenerateDataKeyCommand'),
        withKms,
        `${fn} ${withKms ? 'has' : 'lacks'} KMS`,
      );
      const others = Object.values(FUNCTIONS).filter((other) => other !== file);
      assert.ok(
        !others.some((other) => files.includes(`dist/runtime/${other}.js`)),
        `${fn} has no other bundle`,
      );
      assert.ok(!files.some((f) => f.endsWith('.map')), `${fn} ships no source map`);
      assert.ok(!files.some((f) => f.startsWith('src/')), `${fn} ships no source`);
      // The web console's files, in the console function only.
      const consoleFiles = files.filter((f) => f.startsWith('console/')).sort();
      assert.deepEqual(
        consoleFiles,
        fn === 'console' ? ['console/console.css', 'console/console.js', 'console/index.html'] : [],
        fn,
      );
      const fonts = files.filter((f) => f.startsWith('fonts/'));
      assert.ok(!fonts.some((f) => f.endsWith('.ts')), `${fn} ships no font scripts`);
      if (renders) {
        // Every bundled family with its licence; the same files the local stack renders with.
        for (const family of readdirSync(join(PROJECT_ROOT, 'fonts/bundled'))) {
          for (const file of readdirSync(join(PROJECT_ROOT, 'fonts/bundled', family)))
            assert.ok(fonts.includes(`fonts/bundled/${family}/${file}`), `${fn} has ${family}/${file}`);
        }
      } else assert.deepEqual(fonts, [], `${fn} ships no fonts`);
    }
  });
});

const RESULT_MARK = 'HANDLER RESULT: ';

/**
 * Runs a handler from the packaged artifact (dist/, what Lambda loads) in a fresh Node process with the
 * local stack's environment, invoking it with `event`; resolves with what it returned.
 */
const invokeBundled = (
  handlerFile: string,
  event: unknown,
  root = PROJECT_ROOT,
): Promise<{
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}> =>
  new Promise((resolve, reject) => {
    const script = `
      const { handler } = require(${JSON.stringify(join(root, 'dist/handlers', handlerFile))});
      const deadline = Date.now() + 25000;
      handler(JSON.parse(process.env.EVENT), { getRemainingTimeInMillis: () => deadline - Date.now() })
        .then((result) => { process.stdout.write('\\n' + ${JSON.stringify(RESULT_MARK)} + JSON.stringify(result) + '\\n'); process.exit(0); },
              (err) => { console.error(err); process.exit(1); });`;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        EVENT: JSON.stringify(event),
        PODPDF_PREWARM_BROWSER: 'true',
        PODPDF_LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('exit', (code) => {
      // The handler's own lines (metrics, logs) come first; its result follows the mark.
      if (code === 0) resolve(JSON.parse(stdout.slice(stdout.lastIndexOf(RESULT_MARK) + RESULT_MARK.length)));
      else reject(new Error(`bundled ${handlerFile} failed (${code}):\n${stderr}`));
    });
  });

const httpEvent = (routeKey: string, apiKey: string, body?: unknown) => {
  const [method, path] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    requestContext: { http: { method, path }, requestId: 'packaged-test' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
};

describe("the packaged handlers, each run from its own function's artifact as Lambda loads it", () => {
  let stack: TestStack;
  /** Where each function's zip is unpacked, by function name. */
  const unpacked = new Map<string, string>();
  const rootOf = (fn: string) => unpacked.get(fn) ?? assert.fail(`${fn} was not unpacked`);
  before(async () => {
    // The artifacts the describe above built, or a fresh package when this one runs alone.
    if (!existsSync(join(SERVERLESS_DIR, 'quickjob.zip'))) {
      await run('npm', ['run', 'package'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
      });
    }
    for (const fn of Object.keys(FUNCTIONS)) {
      const dir = mkdtempSync(join(tmpdir(), `podpdf-${fn}-`));
      await run('python3', ['-m', 'zipfile', '-e', join(SERVERLESS_DIR, `${fn}.zip`), dir]);
      unpacked.set(fn, dir);
    }
    stack = await startTestStack({ pollQueues: false });
  });
  after(async () => {
    await stack.stop();
    for (const dir of unpacked.values()) rmSync(dir, { recursive: true, force: true });
  });

  it('quickjob finds the shipped Chromium and returns a PDF', async () => {
    const result = await invokeBundled(
      'quickjob.js',
      httpEvent('POST /quickjob', stack.apiKey, { input_type: 'html', html: '<h1>From the bundle</h1>' }),
      rootOf('quickjob'),
    );
    assert.equal(result.statusCode, 200, result.body);
    assert.equal(result.headers['x-pdf-pages'], '1');
    assert.ok(isPdf(Buffer.from(result.body, 'base64')));
  });

  it('quickjob draws with the fonts shipped in its artifact, not the host', async () => {
    const html = `<p>Latin</p><p lang="ja"><b>日本語</b></p><p style="font-family: 'DejaVu Sans'">host</p>`;
    const result = await invokeBundled(
      'quickjob.js',
      httpEvent('POST /quickjob', stack.apiKey, { input_type: 'html', html }),
      rootOf('quickjob'),
    );
    assert.equal(result.statusCode, 200, result.body);
    const names = await fontNames(Buffer.from(result.body, 'base64'));
    assert.deepEqual(names.sort(), ['NotoSansJP-Bold', 'OpenSans-Regular']);
  });

  it('quickjob truncates with the separately shipped pdf-lib', async () => {
    const result = await invokeBundled(
      'quickjob.js',
      httpEvent('POST /quickjob', stack.apiKey, { input_type: 'html', html: pagedHtml(120) }),
      rootOf('quickjob'),
    );
    assert.equal(result.statusCode, 200, result.body);
    assert.equal(result.headers['x-pdf-pages'], '100');
    assert.equal(result.headers['x-pdf-truncated'], 'true');
    assert.equal((await parsePdf(Buffer.from(result.body, 'base64'))).pages, 100);
  });

  it('the other handlers load and answer', async () => {
    const jobs = await invokeBundled('jobs.js', httpEvent('GET /jobs', stack.apiKey), rootOf('jobs'));
    assert.equal(jobs.statusCode, 200, jobs.body);
    assert.equal(JSON.parse(jobs.body).active_count, 0);
    const accounts = await invokeBundled(
      'accounts.js',
      httpEvent('GET /accounts/me', 'wrong-key'),
      rootOf('accounts'),
    );
    assert.equal(accounts.statusCode, 401);
    const longjob = await invokeBundled(
      'longjob.js',
      httpEvent('POST /longjob', stack.apiKey, { input_type: 'html', html: '<p>queued by the bundle</p>' }),
      rootOf('longjob'),
    );
    assert.equal(longjob.statusCode, 202, longjob.body);
    // The accounts bundle seals a new secret (the local stage's key, from the stack's environment).
    const set = await invokeBundled(
      'accounts.js',
      httpEvent('PUT /accounts/me/webhook', stack.apiKey, { url: 'http://127.0.0.1:9/hooks' }),
      rootOf('accounts'),
    );
    assert.equal(set.statusCode, 200, set.body);
    assert.match(JSON.parse(set.body).signing_secret, /^whsec_/);
    for (const [fn, file] of [
      ['processor', 'processor.js'],
      ['deadLetter', 'dead-letter.js'],
      ['webhook', 'webhook.js'],
    ] as const) {
      const batch = await invokeBundled(file, { Records: [] }, rootOf(fn));
      assert.deepEqual(batch, { batchItemFailures: [] });
    }
    // The console reads its page from the console/ shipped beside dist/.
    const page = await invokeBundled('console.js', httpEvent('GET /', stack.apiKey), rootOf('console'));
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.body, /<title>podpdf console<\/title>/);
    assert.match(page.headers['content-security-policy'] ?? '', /^default-src 'none'; script-src 'self'/);
    const sweep = await invokeBundled(
      'sweeper.js',
      { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
      rootOf('sweeper'),
    );
    assert.deepEqual(sweep, { candidates: 0, requeued: [], failed: [], errors: 0, unfinished: false });
  });
});
