import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_QUEUE_MESSAGE_BYTES } from '../../../src/domain/limits.ts';
import { longjobMessageBody, longjobMessageSchema } from '../../../src/domain/longjob-message.ts';

const ids = { job_id: '9f0a4b78-2c0c-4d14-9b8b-123456789abc', owner: 'acct' };
const parse = (body: string) => longjobMessageSchema.parse(JSON.parse(body));

describe('longjobMessageBody', () => {
  it('carries HTML that fits the message', () => {
    const html = '<p>Invoice "42" — total €10</p>';
    const { body, htmlInline } = longjobMessageBody(ids, { html });
    assert.equal(htmlInline, true);
    assert.deepEqual(parse(body), { ...ids, html });
  });

  it('writes only characters SQS accepts, and the HTML comes back unchanged', () => {
    // Control characters, a lone surrogate, the noncharacters U+FFFE/U+FFFF and an astral character.
    const html = '<p>\u0000\u0001\t\n\r\u007f\ud800 \ufffe\uffff 😀 €</p>';
    const { body, htmlInline } = longjobMessageBody(ids, { html });
    assert.equal(htmlInline, true);
    assert.match(body, /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u);
    assert.equal(parse(body).html, html);
  });

  it('measures the JSON body in UTF-8 bytes, escapes and multi-byte characters included', () => {
    // Each of these is under the limit as UTF-16 code units but not as a message body.
    const quotes = '"'.repeat(MAX_QUEUE_MESSAGE_BYTES / 2); // JSON doubles every quote
    const euros = '€'.repeat(MAX_QUEUE_MESSAGE_BYTES / 2); // three bytes each in UTF-8
    for (const html of [quotes, euros]) {
      assert.ok(html.length < MAX_QUEUE_MESSAGE_BYTES);
      const { body, htmlInline } = longjobMessageBody(ids, { html });
      assert.equal(htmlInline, false);
      assert.deepEqual(parse(body), ids);
    }
  });

  it('keeps the largest document that fits inline and moves the next byte out', () => {
    const overhead = Buffer.byteLength(JSON.stringify({ ...ids, html: '' }));
    const fits = 'x'.repeat(MAX_QUEUE_MESSAGE_BYTES - overhead);
    const inline = longjobMessageBody(ids, { html: fits });
    assert.equal(inline.htmlInline, true);
    assert.equal(Buffer.byteLength(inline.body), MAX_QUEUE_MESSAGE_BYTES);
    assert.equal(longjobMessageBody(ids, { html: `${fits}x` }).htmlInline, false);
  });
});
