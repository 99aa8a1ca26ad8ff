import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { PROJECT_ROOT } from '../../../src/local/project-tmpdir.ts';
import { loadServiceDefinition } from '../../../src/local/service-definition.ts';
import { openApiDocument, openApiText } from '../../../src/openapi/document.ts';

type Operation = { security?: unknown[]; responses: Record<string, unknown> };
const document = openApiDocument() as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, any> };
};

describe('the OpenAPI document', () => {
  it('is committed as openapi.json exactly as generated (npm run openapi regenerates it)', () => {
    const committed = readFileSync(join(PROJECT_ROOT, 'openapi.json'), 'utf8');
    assert.ok(committed === openApiText(), 'openapi.json is stale: run `npm run openapi` and commit it');
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument());
    assert.equal(validator.version, '3.1');
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
  });

  it('describes exactly the routes serverless.yml serves', () => {
    const served = loadServiceDefinition('dev')
      .functions.flatMap((fn) => fn.httpRoutes.map((r) => `${r.method} ${r.path}`))
      .sort();
    const documented = Object.entries(document.paths)
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((key) => key !== 'parameters')
          .map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    assert.deepEqual(documented, served);
  });

  it('names every error code in the error shape, and each in some response', () => {
    const codes = document.components.schemas.Error.properties.error.properties.code.enum;
    assert.deepEqual([...codes].sort(), Object.values(ErrorCode).sort());
    const text = JSON.stringify(document.paths);
    // Codes only a long job's record carries (never an answer) and the router's own 405.
    const recordOnly = [
      'RENDER_TIMEOUT',
      'PROCESSING_FAILED',
      'PROCESSING_STALLED',
      'SUBMISSION_LOST',
      'INPUT_MISSING',
      'METHOD_NOT_ALLOWED',
    ];
    const missing = Object.values(ErrorCode).filter(
      (code) => !recordOnly.includes(code) && !text.includes(`"${code}"`),
    );
    assert.deepEqual(missing, []);
  });

  it('leaves /health and /openapi.json open to callers without a key', () => {
    assert.deepEqual(document.paths['/openapi.json']?.get?.security, []);
    assert.deepEqual(document.paths['/health']?.get?.security?.[0], {});
  });
});
