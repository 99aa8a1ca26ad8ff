import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { marginOption, numberOption, UsageError } from '../../../src/cli/args.ts';
import { statusLine } from '../../../src/cli/io.ts';

const capture = (isTTY: boolean) => {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
};

describe('CLI: status line and options', () => {
  it('rewrites one line on a terminal and ends it once', () => {
    const { stream, text } = capture(true);
    const line = statusLine(stream);
    line.update('job 1: queued');
    line.update('job 1: queued');
    line.update('job 1: completed');
    line.done();
    line.done();
    assert.equal(text(), '\r\x1b[2Kjob 1: queued\r\x1b[2Kjob 1: completed\n');
  });

  it('writes a line per change elsewhere', () => {
    const { stream, text } = capture(false);
    const line = statusLine(stream);
    for (const status of ['queued', 'queued', 'processing', 'completed']) line.update(`job 1: ${status}`);
    line.done();
    assert.equal(text(), 'job 1: queued\njob 1: processing\njob 1: completed\n');
  });

  it('reads --margin as CSS does', () => {
    assert.deepEqual(marginOption('1in'), { top: '1in', right: '1in', bottom: '1in', left: '1in' });
    assert.deepEqual(marginOption('1in 2mm'), { top: '1in', right: '2mm', bottom: '1in', left: '2mm' });
    assert.deepEqual(marginOption('1,2,3'), { top: '1', right: '2', bottom: '3', left: '2' });
    assert.deepEqual(marginOption('1 2 3 4'), { top: '1', right: '2', bottom: '3', left: '4' });
    assert.throws(() => marginOption('1 2 3 4 5'), UsageError);
    assert.throws(() => marginOption(' '), UsageError);
  });

  it('refuses a number option that is not one', () => {
    assert.equal(numberOption('scale', '1.5'), 1.5);
    assert.throws(() => numberOption('scale', 'big'), UsageError);
    assert.throws(() => numberOption('limit', '2.5', true), /--limit must be an integer/);
  });
});
