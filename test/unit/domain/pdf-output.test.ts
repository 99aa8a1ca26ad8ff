import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentDisposition, pdfContentDisposition } from '../../../src/domain/content-disposition.ts';
import { renderOptionsSchema } from '../../../src/domain/render-request.ts';

const parse = (options: Record<string, unknown>) => renderOptionsSchema.parse(options);
const issuesOf = (options: Record<string, unknown>): Array<{ path: string; message: string }> => {
  const result = renderOptionsSchema.safeParse(options);
  assert.equal(result.success, false, `expected ${JSON.stringify(options)} to be refused`);
  return (result.error?.issues ?? []).map((issue) => ({
    path: issue.path.join('.'),
    message: issue.message,
  }));
};
const issueOf = (options: Record<string, unknown>) => {
  const issues = issuesOf(options);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  return issues[0] as { path: string; message: string };
};

describe('custom paper', () => {
  it('takes width and height instead of format, and A4 when neither is given', () => {
    const custom = parse({ width: '100mm', height: ' 5in ' });
    assert.equal(custom.format, undefined);
    assert.equal(custom.width, '100mm');
    assert.equal(custom.height, '5in');
    assert.equal(parse({}).format, 'A4');
  });

  it('refuses format together with width and height, and one side alone', () => {
    const both = issueOf({ format: 'A4', width: '100mm', height: '100mm' });
    assert.equal(both.path, 'format');
    assert.match(both.message, /either format or width and height, not both/);
    assert.deepEqual(issueOf({ width: '100mm' }), {
      path: 'height',
      message: 'is required with width: give both sides of the paper',
    });
    assert.equal(issueOf({ height: '100mm' }).path, 'width');
  });

  it('bounds each side, in any unit', () => {
    assert.match(
      issueOf({ width: '10mm', height: '100mm' }).message,
      /must be from 1 in to 200 in \(is 0.39 in\)/,
    );
    assert.equal(issueOf({ width: '100mm', height: '201in' }).path, 'height');
    assert.equal(issueOf({ width: '100mm', height: '2em' }).path, 'height');
    parse({ width: '96px', height: '200in' });
  });

  it('checks the margins against the custom sheet, landscape turning it', () => {
    const issue = issueOf({ width: '100mm', height: '50mm', margin: { top: '20mm', bottom: '20mm' } });
    assert.equal(issue.path, 'margin');
    assert.match(issue.message, /leave 0.39 in of the 1.97 in height of 100mm × 50mm paper portrait/);
    parse({ width: '50mm', height: '100mm', margin: { top: '20mm', bottom: '20mm' } });
    assert.match(
      issueOf({ width: '50mm', height: '100mm', landscape: true, margin: { top: '20mm', bottom: '20mm' } })
        .message,
      /of 50mm × 100mm paper landscape/,
    );
  });
});

describe('outline and background', () => {
  it('refuses an outline without tags, which Chromium would silently leave out', () => {
    assert.equal(parse({ outline: true }).outline, true);
    assert.deepEqual(issueOf({ outline: true, tagged: false }).path, 'outline');
  });

  it('takes omitBackground as a boolean only', () => {
    assert.equal(parse({ omitBackground: true }).omitBackground, true);
    assert.equal(issueOf({ omitBackground: 'yes' }).path, 'omitBackground');
  });
});

describe('metadata', () => {
  it('keeps the fields it knows and refuses others', () => {
    const metadata = {
      title: 'Rechnung März – 東京',
      author: 'Zoë',
      subject: 'Invoice',
      keywords: 'invoice, 2026',
      creator: 'ERP',
      creationDate: '2026-03-01T09:30:00.250-05:30',
    };
    assert.deepEqual(parse({ metadata }).metadata, metadata);
    assert.equal(issueOf({ metadata: { producer: 'x' } }).path, 'metadata');
  });

  it('refuses control characters, unpaired surrogates and dates without an offset', () => {
    assert.equal(issueOf({ metadata: { title: 'a\u0000b' } }).path, 'metadata.title');
    assert.equal(issueOf({ metadata: { author: 'a\ud800' } }).path, 'metadata.author');
    assert.equal(issueOf({ metadata: { subject: 'x'.repeat(2001) } }).path, 'metadata.subject');
    for (const creationDate of ['2026-03-01', '2026-03-01T09:30:00', '2026-02-30T09:30:00Z', 'yesterday'])
      assert.equal(issueOf({ metadata: { creationDate } }).path, 'metadata.creationDate', creationDate);
  });
});

describe('filename', () => {
  it('appends .pdf unless the name ends in it', () => {
    assert.equal(parse({ filename: 'Rechnung März' }).filename, 'Rechnung März.pdf');
    assert.equal(parse({ filename: 'report.PDF' }).filename, 'report.PDF');
    assert.equal(parse({ filename: 'v1.2' }).filename, 'v1.2.pdf');
  });

  it('refuses paths, control characters, bidi overrides, empty and overlong names', () => {
    for (const filename of ['../etc/passwd', 'a\\b', 'a/b.pdf'])
      assert.match(issueOf({ filename }).message, /must not contain "\/" or "\\"/, filename);
    for (const filename of ['a\nb', 'a\u0085b', 'invoice\u202efdp.exe'])
      assert.match(issueOf({ filename }).message, /control characters/, JSON.stringify(filename));
    assert.equal(issueOf({ filename: '' }).path, 'filename');
    assert.match(issueOf({ filename: '..' }).message, /a name before/);
    assert.match(issueOf({ filename: '.pdf' }).message, /a name before/);
    parse({ filename: `${'x'.repeat(251)}` });
    assert.match(issueOf({ filename: 'x'.repeat(252) }).message, /at most 255 characters, ".pdf" included/);
  });
});

describe('Content-Disposition', () => {
  it('names plain ASCII files as they are', () => {
    assert.equal(contentDisposition('report.pdf'), 'inline; filename="report.pdf"');
    assert.equal(pdfContentDisposition('job-1', undefined), 'inline; filename="job-1.pdf"');
  });

  it('gives other names an ASCII fallback and the exact name as UTF-8 (RFC 6266, RFC 8187)', () => {
    const header = contentDisposition('Rechnung März – 東京.pdf');
    assert.equal(
      header,
      `inline; filename="Rechnung Marz _ __.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz%20%E2%80%93%20%E6%9D%B1%E4%BA%AC.pdf`,
    );
    assert.match(header, /^[\x20-\x7e]+$/);
    // Quotes, percent signs and the characters attr-char does not allow are never left raw.
    assert.equal(
      contentDisposition(`it's "50%" (final)*.pdf`),
      `inline; filename="it's _50__ (final)*.pdf"; filename*=UTF-8''it%27s%20%2250%25%22%20%28final%29%2A.pdf`,
    );
    const decoded = /filename\*=UTF-8''(.+)$/.exec(header)?.[1] ?? '';
    assert.equal(decodeURIComponent(decoded), 'Rechnung März – 東京.pdf');
  });
});
