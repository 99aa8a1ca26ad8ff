import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIN_PRINTABLE_INCHES } from '../../../src/domain/limits.ts';
import { marginProblem, PAPER_FORMATS, paperSize } from '../../../src/domain/paper.ts';

const margins = (top: string, right: string, bottom: string, left: string) => ({ top, right, bottom, left });

describe('paper and margins', () => {
  it('swaps the sides of a landscape sheet', () => {
    assert.deepEqual(paperSize('A4', false), { width: 8.2677, height: 11.6929 });
    assert.deepEqual(paperSize('A4', true), { width: 11.6929, height: 8.2677 });
  });

  it('accepts margins that leave the minimum printable area on every format and orientation', () => {
    for (const format of PAPER_FORMATS) {
      for (const landscape of [false, true]) {
        const ordinary = margins('20mm', '15mm', '20mm', '15mm');
        assert.equal(marginProblem(format, landscape, ordinary, MIN_PRINTABLE_INCHES), undefined);
      }
    }
    // A5 landscape is 5.83 in high: 2.4 in top and bottom leave 1.03 in.
    assert.equal(
      marginProblem('A5', true, margins('2.4in', '0', '2.4in', '0'), MIN_PRINTABLE_INCHES),
      undefined,
    );
  });

  it('names the sides, the sheet and what remains when margins leave too little', () => {
    assert.equal(
      marginProblem('A4', false, margins('6in', '0', '6in', '0'), MIN_PRINTABLE_INCHES),
      'top + bottom margins (12 in) leave 0 in of the 11.69 in height of A4 portrait; at least 1 in must remain printable',
    );
    assert.match(
      marginProblem('Letter', false, margins('0', '4in', '0', '4in'), MIN_PRINTABLE_INCHES) ?? '',
      /^left \+ right margins \(8 in\) leave 0.5 in of the 8.5 in width of Letter portrait/,
    );
  });

  it('checks against the sheet as Chromium is sent it: landscape turns the sides', () => {
    // 4.2 in + 4.2 in fit A4's portrait height (11.69 in) but not its landscape height (8.27 in).
    const tall = margins('4.2in', '0', '4.2in', '0');
    assert.equal(marginProblem('A4', false, tall, MIN_PRINTABLE_INCHES), undefined);
    assert.match(marginProblem('A4', true, tall, MIN_PRINTABLE_INCHES) ?? '', /of A4 landscape/);
  });

  it('converts every unit it is given', () => {
    // 1,000,000 px is 10,417 in; 10.5 cm + 10.5 cm take all of A5's 21 cm height.
    assert.match(marginProblem('A4', false, margins('1000000', '0', '0', '0'), 1) ?? '', /top \+ bottom/);
    assert.match(marginProblem('A5', false, margins('10.5cm', '0', '10.5cm', '0'), 1) ?? '', /leave 0 in/);
  });
});
