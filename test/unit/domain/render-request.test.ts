import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PodpdfError } from '../../../src/domain/errors.ts';
import {
  longjobRequestSchema,
  quickjobRequestSchema,
  renderOptionsSchema,
} from '../../../src/domain/render-request.ts';
import { parseWith } from '../../../src/domain/validation.ts';
import { png } from './image-fixtures.ts';

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
      waitUntil: 'load',
      emulatedMediaType: 'print',
      failOnConsoleExceptions: false,
      failOnResourceLoadingFailed: false,
      omitBackground: false,
      outline: false,
    });
    assert.equal(parsed.test, false);
  });

  it('takes test (sandbox) as a boolean on both job endpoints', () => {
    const body = { input_type: 'markdown', markdown: '# x', test: true };
    assert.equal(parseWith(quickjobRequestSchema, body).test, true);
    assert.equal(parseWith(longjobRequestSchema, body).test, true);
    assert.deepEqual(
      issuesOf({ input_type: 'url', url: 'https://example.com/', test: 'true' }).map((i) => i.path),
      ['test'],
    );
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
      waitUntil: 'networkidle',
      waitForSelector: '#ready',
      waitForExpression: 'window.ready === true',
      waitDelay: 250,
      emulatedMediaType: 'screen',
      failOnConsoleExceptions: true,
      failOnResourceLoadingFailed: true,
      omitBackground: true,
      outline: false,
      metadata: { title: 'Q3', author: 'Finance', creationDate: '2026-03-01T09:30:00+01:00' },
      filename: 'report.pdf',
    };
    const parsed = parseWith(quickjobRequestSchema, { input_type: 'html', html: 'x', options });
    assert.deepEqual(parsed.options, options);
  });

  it('names every failing path', () => {
    const issues = issuesOf({
      input_type: 'html',
      html: '',
      options: { format: 'B5', scale: 3, margin: { top: '2 furlongs' }, pageRanges: 'first' },
    });
    assert.deepEqual(issues.map((i) => i.path).sort(), [
      'html',
      'options.format',
      'options.margin.top',
      'options.pageRanges',
      'options.scale',
    ]);
  });

  it('names the input types when input_type is none of them', () => {
    assert.deepEqual(issuesOf({ input_type: 'pdf', html: 'x' }), [
      { path: 'input_type', message: 'input_type must be "html", "markdown" or "url"' },
    ]);
    // Each type takes its own fields only.
    assert.deepEqual(
      issuesOf({ input_type: 'url', html: '<p>x</p>' })
        .map((i) => i.path)
        .sort(),
      ['(root)', 'url'],
    );
  });

  it('takes Markdown, rendered to HTML with raw HTML shown as text unless allowed', () => {
    const parsed = parseWith(quickjobRequestSchema, {
      input_type: 'markdown',
      markdown: '# Title\n\n| a |\n|---|\n| 1 |\n\n<b>raw</b>',
    });
    assert.ok('html' in parsed.input);
    assert.match(parsed.input.html, /<h1>Title<\/h1>/);
    assert.match(parsed.input.html, /<td>1<\/td>/);
    assert.match(parsed.input.html, /&lt;b&gt;raw&lt;\/b&gt;/);
    const allowed = parseWith(quickjobRequestSchema, {
      input_type: 'markdown',
      markdown: '<b>raw</b>',
      allow_html: true,
      css: 'p { color: red } </style><script>x</script>',
    });
    assert.ok('html' in allowed.input);
    assert.match(allowed.input.html, /<b>raw<\/b>/);
    assert.match(allowed.input.html, /<style>p \{ color: red \} <\\\/style><script>x<\/script><\/style>/);
  });

  it('takes a URL with headers, cookies and a user agent, and refuses what a browser sets itself', () => {
    const parsed = parseWith(quickjobRequestSchema, {
      input_type: 'url',
      url: 'https://example.com/report',
      http_headers: { Authorization: 'Bearer t' },
      cookies: [{ name: 'session', value: 'abc' }],
      user_agent: 'podpdf-test',
      accept_statuses: [404],
    });
    assert.deepEqual(parsed.input, {
      source: {
        url: 'https://example.com/report',
        http_headers: { Authorization: 'Bearer t' },
        cookies: [{ name: 'session', value: 'abc' }],
        user_agent: 'podpdf-test',
        accept_statuses: [404],
      },
    });
    const paths = issuesOf({
      input_type: 'url',
      url: 'https://user:pw@example.com/',
      http_headers: { Host: 'evil', 'X-Line': 'a\r\nb' },
      cookies: [{ name: 'a b', value: 'x;y' }],
      accept_statuses: [200],
    }).map((i) => i.path);
    assert.deepEqual(paths.sort(), [
      'accept_statuses.0',
      'cookies.0.name',
      'cookies.0.value',
      'http_headers',
      'http_headers.X-Line',
      'url',
    ]);
    assert.deepEqual(
      issuesOf({ input_type: 'url', url: 'file:///etc/passwd' }).map((i) => i.path),
      ['url'],
    );
  });

  it('bounds the waits: a delay of at most 10 s, known wait and media kinds, no empty selector', () => {
    const paths = issuesOf({
      input_type: 'html',
      html: 'x',
      options: { waitDelay: 10_001, waitUntil: 'idle', emulatedMediaType: 'tv', waitForSelector: ' ' },
    }).map((issue) => issue.path);
    assert.deepEqual(paths.sort(), [
      'options.emulatedMediaType',
      'options.waitDelay',
      'options.waitForSelector',
      'options.waitUntil',
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

describe('request schema: what Chromium would fail on', () => {
  const html = '<p>x</p>';
  const issueOf = (options: Record<string, unknown>) => {
    const issues = issuesOf({ input_type: 'html', html, options });
    assert.equal(issues.length, 1, JSON.stringify(issues));
    return issues[0] as { path: string; message: string };
  };

  it('refuses margins that leave no printable area, with preferCSSPageSize too', () => {
    for (const preferCSSPageSize of [false, true]) {
      const issue = issueOf({ margin: { top: '6in', bottom: '6in' }, preferCSSPageSize });
      assert.equal(issue.path, 'options.margin');
      assert.match(
        issue.message,
        /top \+ bottom margins \(12 in\) leave 0 in of the 11.69 in height of A4 portrait/,
      );
    }
    assert.match(
      issueOf({ format: 'A4', landscape: true, margin: { left: '150mm', right: '150mm' } }).message,
      /of A4 landscape/,
    );
    parseWith(quickjobRequestSchema, {
      input_type: 'html',
      html,
      options: { margin: { top: '4.2in', bottom: '4.2in' } },
    });
  });

  it('refuses page ranges Chromium would call a syntax error or an invalid range', () => {
    const huge = issueOf({ pageRanges: '1-99999999999999999999999' });
    assert.equal(huge.path, 'options.pageRanges');
    assert.match(huge.message, /is beyond 1000000, the highest page number accepted/);
    assert.match(issueOf({ pageRanges: '5-2' }).message, /starts after it ends/);
    assert.match(issueOf({ pageRanges: '0' }).message, /page 0 does not exist/);
  });

  it('refuses templates that load or run anything, naming the construct', () => {
    const issue = issueOf({
      displayHeaderFooter: true,
      headerTemplate:
        '<link rel=stylesheet href="https://example.invalid/x.css"><span class="pageNumber"></span>',
    });
    assert.equal(issue.path, 'options.headerTemplate');
    assert.match(issue.message, /must not load or run anything: found <link>/);
    assert.equal(
      issueOf({ footerTemplate: '<img src="&#104;ttps://x/a.png">' }).path,
      'options.footerTemplate',
    );
  });

  it('refuses the same options when a stored long job is parsed again', () => {
    assert.equal(
      renderOptionsSchema.safeParse({ headerTemplate: '<link rel=prefetch href=x>' }).success,
      false,
    );
    assert.equal(renderOptionsSchema.safeParse({ margin: { left: '9in' } }).success, false);
  });

  it('refuses decompression bombs and absurd markup with their own codes, on both job endpoints', () => {
    const bomb = `<img src="data:image/png;base64,${png(20_000, 20_000).toString('base64')}">`;
    for (const schema of [quickjobRequestSchema, longjobRequestSchema]) {
      const codeOf = (body: unknown) => {
        try {
          parseWith(schema, body);
        } catch (err) {
          assert.ok(err instanceof PodpdfError);
          return `${err.status} ${err.code}`;
        }
        return 'accepted';
      };
      assert.equal(codeOf({ input_type: 'html', html: bomb }), '400 IMAGE_TOO_LARGE');
      assert.equal(
        codeOf({ input_type: 'html', html, options: { headerTemplate: bomb } }),
        '400 IMAGE_TOO_LARGE',
      );
      assert.equal(
        codeOf({ input_type: 'html', html: '<table><tr><td>'.repeat(10_000) }),
        '400 DOCUMENT_TOO_COMPLEX',
      );
      assert.equal(
        codeOf({ input_type: 'html', html: '<span style=display:block>x</span>'.repeat(600_000) }),
        '400 DOCUMENT_TOO_COMPLEX',
      );
      // Until the body is otherwise valid, its validation issues are the answer.
      assert.equal(codeOf({ input_type: 'url', html: bomb }), '400 VALIDATION_FAILED');
    }
  });
});
