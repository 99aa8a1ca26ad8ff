import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PodpdfError } from '../../../src/domain/errors.ts';
import { quickjobRequestSchema } from '../../../src/domain/render-request.ts';
import { parseWith } from '../../../src/domain/validation.ts';

const issuesOf = (input: unknown): Array<{ path: string; message: string }> => {
  try {
    parseWith(quickjobRequestSchema, input);
  } catch (err) {
    assert.ok(err instanceof PodpdfError);
    assert.equal(err.code, 'VALIDATION_FAILED');
    assert.equal(err.status, 400);
    return (err.details as { issues: Array<{ path: string; message: string }> }).issues;
  }
  assert.fail('expected a validation error');
};

describe('quickjob request schema', () => {
  it('fills documented defaults', () => {
    const parsed = parseWith(quickjobRequestSchema, { input_type: 'html', html: '<p>x</p>' });
    assert.deepEqual(parsed.options, {
      format: 'A4',
      margin: { top: '0', right: '0', bottom: '0', left: '0' },
      printBackground: true,
      scale: 1,
      landscape: false,
      preferCSSPageSize: false,
      tagged: true,
      displayHeaderFooter: false,
    });
  });

  it('keeps every supported option', () => {
    const options = {
      format: 'Letter',
      margin: { top: '20mm', right: '1in', bottom: '0.5cm', left: '12px' },
      printBackground: false,
      scale: 0.5,
      landscape: true,
      preferCSSPageSize: true,
      tagged: false,
      pageRanges: '1-3, 5',
      displayHeaderFooter: true,
      headerTemplate: '<span class="title"></span>',
      footerTemplate: '<span class="pageNumber"></span>',
    };
    const parsed = parseWith(quickjobRequestSchema, { input_type: 'html', html: 'x', options });
    assert.deepEqual(parsed.options, options);
  });

  it('names every failing path', () => {
    const issues = issuesOf({
      input_type: 'url',
      html: '',
      options: { format: 'B5', scale: 3, margin: { top: '2 furlongs' }, pageRanges: 'first' },
    });
    assert.deepEqual(issues.map((i) => i.path).sort(), [
      'html',
      'input_type',
      'options.format',
      'options.margin.top',
      'options.pageRanges',
      'options.scale',
    ]);
  });

  it('refuses unknown keys at the top and inside options', () => {
    const issues = issuesOf({ input_type: 'html', html: 'x', extra: 1, options: { pageSize: 'A4' } });
    assert.deepEqual(issues.map((i) => i.path).sort(), ['(root)', 'options']);
    assert.match(issues.map((i) => i.message).join(' '), /extra/);
    assert.match(issues.map((i) => i.message).join(' '), /pageSize/);
  });

  it('refuses a body that is not an object', () => {
    assert.deepEqual(
      issuesOf([1, 2]).map((i) => i.path),
      ['(root)'],
    );
  });
});
