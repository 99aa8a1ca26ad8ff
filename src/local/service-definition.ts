import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { parse, type Tags } from 'yaml';
import { PROJECT_ROOT } from './project-tmpdir.ts';

/**
 * Reads serverless.yml and resources.yml so the local stack runs exactly what is deployed: the same
 * routes, handlers, timeouts, environment and table schemas. Only the variables podpdf uses are
 * resolved: ${sls:stage}, ${self:service}, ${opt:stage, ...}, ${opt:region, ...}.
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
    .replace(/\$\{opt:region(, *'[^']*')?\}/g, vars.region);

const readYaml = (file: string, vars: { stage: string; service: string; region: string }): unknown =>
  parse(resolveVariables(readFileSync(join(PROJECT_ROOT, file), 'utf8'), vars), {
    customTags: cloudFormationTags,
  });

export interface HttpRoute {
  method: string;
  path: string;
}

export interface FunctionDefinition {
  name: string;
  /** Module under src/ that exports the handler. */
  sourceFile: string;
  exportName: string;
  timeoutSeconds: number;
  httpRoutes: HttpRoute[];
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
    { handler: string; timeout?: number; events?: Array<{ httpApi?: { method: string; path: string } }> }
  >;
}

/** `dist/handlers/quickjob.handler` → `src/handlers/quickjob.ts` + `handler`. */
const sourceOf = (handler: string): { sourceFile: string; exportName: string } => {
  const dot = handler.lastIndexOf('.');
  const modulePath = handler.slice(0, dot).replace(/^dist\//, 'src/');
  return { sourceFile: `${modulePath}.ts`, exportName: handler.slice(dot + 1) };
};

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

/**
 * provider.environment with every { Ref } replaced by the value CloudFormation would give it
 * (a table's name). Unknown intrinsics are an error: the local stack must not silently diverge.
 */
export const resolveEnvironment = (def: ServiceDefinition): Record<string, string> =>
  Object.fromEntries(
    Object.entries(def.environment).map(([key, value]) => {
      if (typeof value === 'string') return [key, value];
      if ('Ref' in value) {
        const resource = def.resources[value.Ref];
        if (resource?.Type === 'AWS::DynamoDB::Table') return [key, resource.Properties.TableName as string];
      }
      throw new Error(`local stack cannot resolve environment variable ${key}: ${JSON.stringify(value)}`);
    }),
  );
