import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { templateProblem } from '../../../src/domain/template-policy.ts';
import { base64Uri, png } from './image-fixtures.ts';

const refused = (template: string, construct: RegExp) => {
  const problem = templateProblem(template);
  assert.ok(problem, `expected a refusal of ${template}`);
  assert.match(problem, /^must not load or run anything: found /);
  assert.match(problem, construct, template);
};

describe('header and footer templates', () => {
  it('allows markup, inline styles, data: images and Chromium’s template classes', () => {
    const allowed = [
      '<div style="font-size:9px;width:100%;text-align:center">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
      '<span class="date"></span> <span class="title"></span> <span class="url"></span>',
      `<style>.h { color: #333; font: 8px sans-serif; border-bottom: 1px solid #ccc }</style><div class="h">Q3 &amp; Q4 &copy; ACME</div>`,
      `<img src="${base64Uri(png(200, 50))}" style="height:20px"><img src='${base64Uri(png(10, 10))}'>`,
      `<div style="background: url('${base64Uri(png(4, 4))}') no-repeat; background-image: image-set('${base64Uri(png(4, 4))}' 1x)"></div>`,
      '<svg width="10" height="10"><circle r="4" fill="url(#g)"/><a href="#top">top</a></svg>',
      '<img src="" alt="empty">',
      '',
    ];
    for (const template of allowed) assert.equal(templateProblem(template), undefined, template);
  });

  it('refuses elements that load, run, embed or navigate', () => {
    refused('<link rel=stylesheet href="https://example.invalid/x.css">', /<link>/);
    refused('<LINK REL="prefetch" HREF="https://example.invalid/x.css">', /<link>/);
    refused('<link\nrel=preload>', /<link>/);
    for (const name of ['script', 'iframe', 'frame', 'object', 'embed', 'meta', 'base', 'portal']) {
      refused(`<div><${name} x></div>`, new RegExp(`<${name}>`));
    }
    refused('<svg><set attributeName="href" to="https://example.invalid/"/></svg>', /<set>/);
  });

  it('refuses @import, event handlers and javascript: URLs', () => {
    refused('<style>@import "https://example.invalid/x.css";</style>', /@import/);
    refused('<style>@IMPORT url(x.css)</style>', /@import/);
    refused('<img src="data:image/png;base64,AAAA" onerror="alert(1)">', /event handler onerror=/);
    refused('<img/onload=alert(1) src="data:,">', /event handler onload=/);
    refused('<a href="javascript:alert(1)">x</a>', /javascript:/);
    refused('<a href="java\tscript:alert(1)">x</a>', /javascript:/);
  });

  it('refuses any URL attribute or CSS reference that is not a data: URI or a #fragment', () => {
    refused('<img src="https://example.invalid/logo.png">', /src="https:\/\/example.invalid\/logo.png"/);
    refused("<img src='logo.png'>", /src='logo.png'/);
    refused('<img src=//example.invalid/a>', /src=\/\/example.invalid\/a/);
    refused('<img srcset="data:image/png;base64,AAAA 1x, https://example.invalid/a.png 2x">', /srcset=/);
    refused('<video poster="https://example.invalid/p.jpg"></video>', /poster=/);
    refused('<table background="bg.gif"></table>', /background=/);
    refused('<form action="https://example.invalid/"><button formaction="/x">go</button></form>', /action=/);
    refused('<svg><image xlink:href="https://example.invalid/a.svg"/></svg>', /href=/);
    refused('<a href="https://example.invalid/">x</a>', /href=/);
    refused(
      '<div style="background:url(https://example.invalid/bg.png)"></div>',
      /url\(https:\/\/example.invalid\/bg.png\)/,
    );
    refused('<style>p { background: URL( "x.png" ) }</style>', /url\("x.png"/);
    refused(
      '<div style="background-image: image-set(\'https://example.invalid/a.png\' 1x)"></div>',
      /image-set\(/,
    );
    refused('<div style="background-image: -webkit-image-set(&quot;a.png&quot; 2x)"></div>', /image-set\(/);
  });

  it('sees through HTML character references, CSS escapes and comments', () => {
    refused('<img src="&#104;ttps://example.invalid/a.png">', /src="https:/);
    refused('<img src="&#x68;ttps&colon;//example.invalid/a.png">', /src="https:/);
    refused('<a href="&#106;avascript&#58;alert(1)">x</a>', /javascript:/);
    refused('<div style="background: u\\72l(https://example.invalid/a.png)"></div>', /url\(/);
    refused('<div style="background: \\75 \\72 \\6c (x.png)"></div>', /url\(/);
    refused('<style>@\\69mport "x.css";</style>', /@import/);
    refused('<div style="background: u&#92;72l(x.png)"></div>', /url\(/);
    refused('<!-- a comment --><link rel=stylesheet href=x.css>', /<link>/);
    refused('<!--><link rel=stylesheet href=x.css>-->', /<link>/);
    refused('<style>/* */@import/**/"x.css"</style>', /@import/);
  });

  it('is not fooled by a data: payload that happens to spell an attribute', () => {
    // Base64 can contain "/onab=" or "/data=": inside a payload they are not attributes.
    assert.equal(templateProblem('<img src="data:image/png;base64,AAAA/onab=">'), undefined);
    assert.equal(templateProblem('<img src="data:image/png;base64,AAAA/data=">'), undefined);
  });
});
