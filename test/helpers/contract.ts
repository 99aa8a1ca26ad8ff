/**
 * Checks real answers of the API against openapi.json: the status is one the operation documents,
 * its required headers are there, every documented header that is sent matches its schema, and a JSON
 * body matches the response's schema (JSON Schema 2020-12, OpenAPI 3.1's dialect, by ajv).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';

// ajv-formats is CommonJS: its export is the function itself.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, any>;
const SPEC_ID = 'openapi.json';
export const spec: Json = JSON.parse(readFileSync(join(PROJECT_ROOT, 'openapi.json'), 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, SPEC_ID);

const pointer = (...parts: string[]): string =>
  parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** Follows a `$ref` to the document's own components (headers, parameters, responses). */
const resolve = (node: Json): Json => {
  if (typeof node.$ref !== 'string') return node;
  return node.$ref
    .replace(/^#\//, '')
    .split('/')
    .map((part: string) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((at: Json, part: string) => at[part], spec);
};

const validate = (schemaPointer: string, value: unknown, what: string): void => {
  const check =
    ajv.getSchema(`${SPEC_ID}#/${schemaPointer}`) ?? ajv.compile({ $ref: `${SPEC_ID}#/${schemaPointer}` });
  assert.ok(
    check(value),
    `${what}: ${ajv.errorsText(check.errors)}\n${JSON.stringify(value)?.slice(0, 2000)}`,
  );
};

/**
 * Checks `res` as the answer of `method` on the documented `path` (a template such as
 * `/jobs/{job_id}`) and returns its body: parsed JSON, or the raw bytes of another content type.
 */
export const checkAnswer = async (method: string, path: string, res: Response): Promise<unknown> => {
  const what = `${method} ${path} ${res.status}`;
  const operation = spec.paths[path]?.[method.toLowerCase()];
  assert.ok(operation, `${method} ${path} is not in openapi.json`);
  const response = operation.responses[String(res.status)] as Json | undefined;
  assert.ok(response, `${what}: status not documented (${await res.clone().text()})`);
  for (const [name, raw] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
    const documented = resolve(raw);
    const value = res.headers.get(name);
    if (value === null) {
      assert.ok(!raw.required && !documented.required, `${what}: header ${name} is required but missing`);
      continue;
    }
    const at = raw.$ref
      ? `${raw.$ref.replace(/^#\//, '')}/schema`
      : pointer(
          'paths',
          path,
          method.toLowerCase(),
          'responses',
          String(res.status),
          'headers',
          name,
          'schema',
        );
    validate(at, value, `${what}: header ${name}`);
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const content = response.content as Record<string, Json> | undefined;
  if (!content) {
    assert.equal((await res.arrayBuffer()).byteLength, 0, `${what}: a body where none is documented`);
    return undefined;
  }
  assert.ok(content[type], `${what}: content-type ${type} not documented`);
  if (type !== 'application/json') return new Uint8Array(await res.arrayBuffer());
  const body = await res.json();
  validate(
    pointer('paths', path, method.toLowerCase(), 'responses', String(res.status), 'content', type, 'schema'),
    body,
    `${what}: body`,
  );
  return body;
};

const templates = Object.keys(spec.paths as Json).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The documented path template a request path (query string and all) falls under, if any. */
export const documentedPath = (path: string): string | undefined => {
  const bare = path.split('?')[0] ?? path;
  return templates.find(({ pattern }) => pattern.test(bare))?.template;
};
