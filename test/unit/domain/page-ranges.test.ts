import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PAGE_NUMBER } from '../../../src/domain/limits.ts';
import { pageRangesProblem } from '../../../src/domain/page-ranges.ts';

describe('page ranges', () => {
  it('accepts what Chromium accepts within the page bound', () => {
    for (const ranges of ['1', '1-5, 8, 11-13', '3-', ' 2 - 3 ', '5-5', `1-${MAX_PAGE_NUMBER}`, '007']) {
      assert.equal(pageRangesProblem(ranges.trim(), MAX_PAGE_NUMBER), undefined, ranges);
    }
  });

  it('keeps the syntax message for text that is not a page range', () => {
    for (const ranges of ['first', '1,,2', '-3', '1-2-3', '']) {
      assert.equal(pageRangesProblem(ranges, MAX_PAGE_NUMBER), 'must look like "1-5, 8, 11-13"', ranges);
    }
  });

  it('names page numbers past the bound instead of letting Chromium call them a syntax error', () => {
    const problem = pageRangesProblem('1-99999999999999999999999', MAX_PAGE_NUMBER);
    assert.match(
      problem ?? '',
      /page 99999999999999999999999 is beyond 1000000, the highest page number accepted/,
    );
    assert.match(pageRangesProblem('4294967296', MAX_PAGE_NUMBER) ?? '', /beyond 1000000/);
    assert.match(
      pageRangesProblem(`2, ${MAX_PAGE_NUMBER + 1}-`, MAX_PAGE_NUMBER) ?? '',
      /page 1000001 is beyond/,
    );
    assert.match(
      pageRangesProblem(`1${'0'.repeat(400)}`, MAX_PAGE_NUMBER) ?? '',
      /…/,
      'a huge number is cut short',
    );
  });

  it('refuses page 0 and a range that starts after it ends', () => {
    assert.match(
      pageRangesProblem('0', MAX_PAGE_NUMBER) ?? '',
      /"0": page 0 does not exist, pages are numbered from 1/,
    );
    assert.match(pageRangesProblem('1, 0-3', MAX_PAGE_NUMBER) ?? '', /page 0 does not exist/);
    assert.match(pageRangesProblem('1-3, 5-2', MAX_PAGE_NUMBER) ?? '', /"5-2" starts after it ends/);
  });
});
