import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { parse, type Tags } from 'yaml';
import { PROJECT_ROOT } from './project-tmpdir.ts';

/**
 * Reads serverless.yml and resources.yml so the local stack runs exactly what is deployed: the same
 * routes, handlers, timeouts, environment and table schemas. Only the variables podpdf uses are
 * resolved: ${sls:stage}, ${self:service}, ${opt:stage, ...}, ${opt:region, ...}, and
 * ${param:name, 'default'} as its default (the local stack takes no deployment parameters).
 */

type Intrinsic = { Ref: string } | { 'Fn::GetAtt': string[] } | { 'Fn::Sub': unknown };

/** CloudFormation short-form tags (!Ref, !GetAtt, !Sub, ...) as their long-form objects. */
const cloudFormationTags: Tags = [
  'Ref',
  'GetAtt',
  'Sub',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'ImportValue',
].flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
  const wrap = (value: unknown) => ({
    [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
  });
  return (['scalar', 'seq', 'map'] as const).map((collection) => ({
    tag: `!${name}`,
    ...(collection === 'scalar' ? {} : { collection }),
    resolve: (value: unknown) =>
      wrap(collection === 'scalar' ? value : (value as { toJSON(): unknown }).toJSON()),
  }));
}) as Tags;

const resolveVariables = (text: string, vars: { stage: string; service: string; region: string }): string =>
  text
    .replace(/\$\{sls:stage\}/g, vars.stage)
    .replace(/\$\{self:service\}/g, vars.service)
    .replace(/\$\{opt:stage(, *'[^']*')?\}/g, vars.stage)
    .replace(/\$\{opt:region(, *'[^']*')?\}/g, vars.region)
    .replace(/\$\{param:[\w-]+, *'([^']*)'\}/g, '$1');

const readYaml = (file: string, vars: { stage: string; service: string; region: string }): unknown =>
  parse(resolveVariables(readFileSync(join(PROJECT_ROOT, file), 'utf8'), vars), {
    customTags: cloudFormationTags,
  });

export interface HttpRoute {
  method: string;
  path: string;
}

export interface QueueTrigger {
  /** Logical id of the AWS::SQS::Queue resource. */
  queue: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
}

export interface ScheduleTrigger {
  /** The expression as written: `rate(5 minutes)`. */
  expression: string;
  /** Its period in milliseconds. */
  everyMs: number;
}

/** `rate(N minute|minutes|hour|hours|day|days)` in ms; cron() expressions are not run locally. */
export const rateMs = (expression: string): number => {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression.trim());
  if (!match) throw new Error(`local stack runs rate() schedules only, not ${JSON.stringify(expression)}`);
  const unit = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[match[2] as 'minute' | 'hour' | 'day'];
  return Number(match[1]) * unit;
};

export interface FunctionDefinition {
  name: string;
  /** Module under src/ that exports the handler. */
  sourceFile: string;
  exportName: string;
  timeoutSeconds: number;
  httpRoutes: HttpRoute[];
  queueTriggers: QueueTrigger[];
  /** Its `schedule` events (EventBridge rules on AWS), enabled ones only. */
  schedules: ScheduleTrigger[];
  /**
   * The function's own environment (plain strings), applied over provider.environment on AWS. A
   * variable naming a KMS key is left out: there is no KMS locally (see `localEnvironment`).
   */
  environment: Record<string, string>;
}

interface CloudFormationResource {
  Type: string;
  Properties: Record<string, unknown>;
}

export interface ServiceDefinition {
  service: string;
  stage: string;
  region: string;
  functions: FunctionDefinition[];
  resources: Record<string, CloudFormationResource>;
  /** provider.environment as written: strings or intrinsics such as { Ref: 'UsersTable' }. */
  environment: Record<string, string | Intrinsic>;
}

interface ServerlessYaml {
  service: string;
  provider: { timeout?: number; environment?: Record<string, string | Intrinsic> };
  functions: Record<
    string,
    {
      handler: string;
      timeout?: number;
      environment?: Record<string, string | Intrinsic>;
      events?: Array<{
        httpApi?: { method: string; path: string };
        sqs?: { arn: { 'Fn::GetAtt': string[] }; batchSize?: number; functionResponseType?: string };
        schedule?: string | { rate: string | string[]; enabled?: boolean };
      }>;
    }
  >;
}

/** `dist/handlers/quickjob.handler` → `src/handlers/quickjob.ts` + `handler`. */
const sourceOf = (handler: string): { sourceFile: string; exportName: string } => {
  const dot = handler.lastIndexOf('.');
  const modulePath = handler.slice(0, dot).replace(/^dist\//, 'src/');
  return { sourceFile: `${modulePath}.ts`, exportName: handler.slice(dot + 1) };
};

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` names. */
const referencedResource = (value: Intrinsic): string | undefined =>
  'Ref' in value ? value.Ref : 'Fn::GetAtt' in value ? value['Fn::GetAtt'][0] : undefined;

/**
 * A function's environment as the local stack applies it. There is no KMS locally: a variable naming
 * a KMS key is left unset, and the local stack's own key (PODPDF_LOCAL_SECRET_KEY, set by stack.ts)
 * wraps the webhook secrets' data keys instead. Any other reference is an error.
 */
const localEnvironment = (
  name: string,
  environment: Record<string, string | Intrinsic>,
  resources: Record<string, CloudFormationResource>,
): Record<string, string> =>
  Object.fromEntries(
    Object.entries(environment).filter(([key, value]) => {
      if (typeof value === 'string') return true;
      if (resources[referencedResource(value) ?? '']?.Type === 'AWS::KMS::Key') return false;
      throw new Error(
        `local stack cannot resolve ${name}'s environment variable ${key}: ${JSON.stringify(value)}`,
      );
    }),
  ) as Record<string, string>;

export const loadServiceDefinition = (stage: string, region = 'us-east-1'): ServiceDefinition => {
  const vars = { stage, service: 'podpdf', region };
  const sls = readYaml('serverless.yml', vars) as ServerlessYaml;
  vars.service = sls.service;
  const resources = (readYaml('resources.yml', vars) as { Resources: Record<string, CloudFormationResource> })
    .Resources;
  const functions = Object.entries(sls.functions).map(([name, fn]) => ({
    name,
    ...sourceOf(fn.handler),
    timeoutSeconds: fn.timeout ?? sls.provider.timeout ?? 6,
    httpRoutes: (fn.events ?? []).flatMap((event) =>
      event.httpApi ? [{ method: event.httpApi.method.toUpperCase(), path: event.httpApi.path }] : [],
    ),
    queueTriggers: (fn.events ?? []).flatMap((event) =>
      event.sqs
        ? [
            {
              queue: event.sqs.arn['Fn::GetAtt'][0] as string,
              // Lambda's default batch size for SQS is 10.
              batchSize: event.sqs.batchSize ?? 10,
              reportBatchItemFailures: event.sqs.functionResponseType === 'ReportBatchItemFailures',
            },
          ]
        : [],
    ),
    schedules: (fn.events ?? []).flatMap((event) => {
      const schedule = event.schedule;
      if (schedule === undefined) return [];
      if (typeof schedule === 'object' && schedule.enabled === false) return [];
      const rates = typeof schedule === 'string' ? [schedule] : [schedule.rate].flat();
      return rates.map((expression) => ({ expression, everyMs: rateMs(expression) }));
    }),
    environment: localEnvironment(name, fn.environment ?? {}, resources),
  }));
  return {
    service: sls.service,
    stage,
    region,
    functions,
    resources,
    environment: sls.provider.environment ?? {},
  };
};

const resourcesOfType = (def: ServiceDefinition, type: string) =>
  Object.entries(def.resources).filter(([, resource]) => resource.Type === type);

/** CreateTable inputs for every AWS::DynamoDB::Table (TTL and PITR are not emulated). */
export const tableDefinitions = (def: ServiceDefinition): CreateTableCommandInput[] =>
  resourcesOfType(def, 'AWS::DynamoDB::Table').map(([, { Properties: p }]) => ({
    TableName: p.TableName as string,
    BillingMode: p.BillingMode as CreateTableCommandInput['BillingMode'],
    AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
    ...(p.GlobalSecondaryIndexes
      ? {
          GlobalSecondaryIndexes:
            p.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
        }
      : {}),
  }));

export interface QueueDefinition {
  logicalId: string;
  name: string;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  /** Logical id of the dead-letter queue and the receive count that sends a message there. */
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
}

/** Every AWS::SQS::Queue, dead-letter queues first so redrive targets exist when queues are created. */
export const queueDefinitions = (def: ServiceDefinition): QueueDefinition[] =>
  resourcesOfType(def, 'AWS::SQS::Queue')
    .map(([logicalId, { Properties: p }]) => {
      const redrive = p.RedrivePolicy as
        | { deadLetterTargetArn: { 'Fn::GetAtt': string[] }; maxReceiveCount: number }
        | undefined;
      return {
        logicalId,
        name: p.QueueName as string,
        visibilityTimeoutSeconds: Number(p.VisibilityTimeout ?? 30),
        retentionSeconds: Number(p.MessageRetentionPeriod ?? 345_600),
        ...(redrive
          ? {
              redrive: {
                deadLetterQueue: redrive.deadLetterTargetArn['Fn::GetAtt'][0] as string,
                maxReceiveCount: Number(redrive.maxReceiveCount),
              },
            }
          : {}),
      };
    })
    .sort((a, b) => Number(Boolean(a.redrive)) - Number(Boolean(b.redrive)));

export interface BucketDefinition {
  logicalId: string;
  name: string;
  /** Days after which the lifecycle rule deletes objects. */
  expirationDays?: number;
}

export const bucketDefinitions = (def: ServiceDefinition): BucketDefinition[] =>
  resourcesOfType(def, 'AWS::S3::Bucket').map(([logicalId, { Properties: p }]) => {
    const rules = (p.LifecycleConfiguration as { Rules?: Array<{ ExpirationInDays?: number }> } | undefined)
      ?.Rules;
    const expirationDays = rules?.find((rule) => rule.ExpirationInDays !== undefined)?.ExpirationInDays;
    return { logicalId, name: p.BucketName as string, ...(expirationDays ? { expirationDays } : {}) };
  });

/**
 * Variables that start a Node process rather than configure podpdf: the local stack's handlers run in
 * the process `npm start` already started.
 */
const LAUNCH_ONLY = new Set(['NODE_OPTIONS']);

/**
 * Every function's own environment, which the local stack applies to the one process all handlers
 * share. Two functions giving one variable different values cannot both hold in one process: an error,
 * so the local stack never runs a function under another's settings.
 */
export const functionEnvironment = (def: ServiceDefinition): Record<string, string> => {
  const merged: Record<string, { value: string; from: string }> = {};
  for (const fn of def.functions) {
    for (const [key, value] of Object.entries(fn.environment)) {
      if (LAUNCH_ONLY.has(key)) continue;
      const earlier = merged[key];
      if (earlier && earlier.value !== value) {
        throw new Error(
          `local stack cannot run ${earlier.from} and ${fn.name} in one process: they set ${key} to ${JSON.stringify(earlier.value)} and ${JSON.stringify(value)}`,
        );
      }
      merged[key] = { value, from: fn.name };
    }
  }
  return Object.fromEntries(Object.entries(merged).map(([key, { value }]) => [key, value]));
};

/**
 * provider.environment with every { Ref } replaced by the value CloudFormation would give it: a
 * table's or bucket's name, a queue's URL (from `queueUrls`, by logical id), then the functions' own
 * environment. Unknown intrinsics are an error: the local stack must not silently diverge.
 */
export const resolveEnvironment = (
  def: ServiceDefinition,
  queueUrls: Record<string, string> = {},
): Record<string, string> => ({
  ...resolveProviderEnvironment(def, queueUrls),
  ...functionEnvironment(def),
});

const resolveProviderEnvironment = (
  def: ServiceDefinition,
  queueUrls: Record<string, string>,
): Record<string, string> =>
  Object.fromEntries(
    Object.entries(def.environment).map(([key, value]) => {
      if (typeof value === 'string') return [key, value];
      if ('Ref' in value) {
        const resource = def.resources[value.Ref];
        if (resource?.Type === 'AWS::DynamoDB::Table') return [key, resource.Properties.TableName as string];
        if (resource?.Type === 'AWS::S3::Bucket') return [key, resource.Properties.BucketName as string];
        const url = queueUrls[value.Ref];
        if (resource?.Type === 'AWS::SQS::Queue' && url) return [key, url];
      }
      throw new Error(`local stack cannot resolve environment variable ${key}: ${JSON.stringify(value)}`);
    }),
  );
