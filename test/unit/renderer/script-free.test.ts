import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isScriptFree, mayLoadWebFonts } from '../../../src/renderer/script-free.ts';

describe('script-free documents', () => {
  it('takes ordinary markup, styles, data: images and the word "script" in text as script-free', () => {
    for (const html of [
      '<!doctype html><h1>Invoice 42</h1><table><tr><td>1</td></tr></table>',
      '<style>@page { size: A5 } .on { color: red }</style><p class="on">on time</p>',
      '<img src="data:image/png;base64,iVBORw0KGgo=" alt="logo"><a href="https://example.com/">link</a>',
      '<p>A description of a script, and a manuscript.</p>',
      '<p>Option: condition = met, mention=1</p>',
    ]) {
      assert.equal(isScriptFree(html), true, html);
    }
  });

  it('sends anything that may run script, or renders differently without it, to a page of its own', () => {
    for (const html of [
      '<script>1</script>',
      '<SCRIPT src="x.js"></SCRIPT>',
      '<svg><script>1</script></svg>',
      '<noscript>JavaScript is off</noscript>',
      '<img src=x onerror="fetch(1)">',
      '<img/ONLOAD = "1">',
      '<body onload=go()>',
      '<iframe src="https://example.com/"></iframe>',
      '<iframe srcdoc="<p>x</p>"></iframe>',
      '<frameset><frame src="a.html"></frameset>',
      '<object data="x.swf"></object>',
      '<embed src="x">',
      '<a href="javascript:alert(1)">x</a>',
      '<a href="JavaScript :void(0)">x</a>',
      '<meta http-equiv="refresh" content="5;url=https://example.com/">',
      '<style>@media (scripting: enabled) { p { color: red } }</style>',
      '<portal src="https://example.com/"></portal>',
    ]) {
      assert.equal(isScriptFree(html), false, html);
    }
  });

  it('tells documents that may bring a web font from those that use installed fonts only', () => {
    assert.equal(mayLoadWebFonts('<style>p { font-family: Arial, sans-serif }</style><p>x</p>'), false);
    assert.equal(mayLoadWebFonts('<style>@font-face { font-family: X; src: url(x.woff2) }</style>'), true);
    assert.equal(mayLoadWebFonts('<style>@import url("https://example.com/fonts.css");</style>'), true);
    assert.equal(mayLoadWebFonts('<LINK rel="stylesheet" href="https://example.com/fonts.css">'), true);
  });
});
