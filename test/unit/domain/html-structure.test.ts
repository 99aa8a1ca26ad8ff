import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanHtml } from '../../../src/domain/html-structure.ts';

describe('HTML structure scan', () => {
  it('counts every start tag as an element, block tags as blocks', () => {
    const s = scanHtml(
      '<!DOCTYPE html><html><body><p>a <b>b</b> <x-tag>c</x-tag><SPAN style=display:block>d</SPAN></p>',
    );
    assert.equal(s.elements, 6);
    assert.equal(s.blocks, 1);
  });

  it('does not count tags inside comments, scripts, styles or quoted attribute values', () => {
    const s = scanHtml(
      `<!-- <div><div> --><script>const t = "<div><div>";</script><style>p::after{content:"<i>"}</style>` +
        `<textarea><b></textarea><p title="a > <div>">x</p><!--><i>`,
    );
    assert.equal(s.elements, 5); // script, style, textarea, p, i
  });

  it('follows implied end tags: omitted optional end tags are not nesting', () => {
    assert.equal(scanHtml('<p>a<p>b<p>c'.repeat(1000)).maxDepth, 1);
    assert.equal(scanHtml(`<ul>${'<li>item'.repeat(1000)}</ul>`).maxDepth, 2);
    assert.equal(scanHtml(`<table>${'<tr><td>1<td>2'.repeat(1000)}</table>`).maxDepth, 3);
    assert.equal(scanHtml(`<dl>${'<dt>t<dd>d'.repeat(1000)}</dl>`).maxDepth, 2);
    assert.equal(scanHtml(`<select>${'<option>o'.repeat(1000)}</select>`).maxDepth, 2);
    // Unclosed formatting elements in cells close with the cell.
    assert.equal(scanHtml(`<table>${'<tr><td><font size=2>x</td>'.repeat(1000)}</table>`).maxDepth, 4);
  });

  it('measures real nesting', () => {
    assert.equal(scanHtml(`${'<div>'.repeat(600)}x${'</div>'.repeat(600)}`).maxDepth, 600);
    assert.equal(scanHtml(`${'<table><tr><td>'.repeat(200)}x`).maxDepth, 600);
    assert.equal(scanHtml(`${'<ul><li>'.repeat(300)}x`).maxDepth, 600);
    // <div/> is an open <div> in HTML: the slash does not close it.
    assert.equal(scanHtml('<div/>'.repeat(700)).maxDepth, 700);
  });

  it('honours self-closing tags only in SVG and MathML, and leaves them where HTML does', () => {
    assert.equal(scanHtml(`<svg>${'<path d="M0 0"/>'.repeat(1000)}</svg>`).maxDepth, 1);
    assert.equal(scanHtml(`<svg>${'<div/>'.repeat(700)}`).maxDepth, 700, 'a <div> ends the SVG');
    assert.equal(scanHtml(`<svg><foreignObject>${'<section/>'.repeat(700)}`).maxDepth, 702);
    assert.equal(scanHtml(`<svg><style>${'<div>'.repeat(700)}`).elements, 702, 'no raw text inside SVG');
  });

  it('measures runs of inline elements laid out in one block', () => {
    const s = scanHtml(`<p>${'<span>x</span> '.repeat(300)}</p><div>${'<a>y</a><br>'.repeat(100)}</div>`);
    assert.equal(s.longestInlineRun, 300);
    assert.equal(s.inlineRunSquares, 300 * 300 + 200 * 200, 'a <br> does not start a new block');
    const cells = scanHtml(`<table><tr>${'<td><span>x</span></td>'.repeat(500)}</tr></table>`);
    assert.equal(cells.longestInlineRun, 1, 'every cell is a block of its own');
    assert.equal(
      scanHtml(`<p><svg>${'<rect/>'.repeat(500)}</svg></p>`).longestInlineRun,
      1,
      'SVG content is not inline',
    );
  });
});
