import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

/**
 * Markdown input: CommonMark with GitHub's extensions (tables, task lists, strikethrough, autolinks,
 * footnotes) through micromark, made into a printable HTML document. Raw HTML in the Markdown is
 * shown as text unless asked for, so a Markdown document has no script and takes the fast page.
 */

/** The stylesheet a Markdown document gets unless the request brings its own `css`. */
export const DEFAULT_MARKDOWN_CSS = `@page { margin: 18mm 16mm; }
html { font-family: system-ui, sans-serif; font-size: 11pt; line-height: 1.5; color: #1f2328; }
body { margin: 0; }
h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.4em 0 0.5em; break-after: avoid; }
h1 { font-size: 2em; border-bottom: 1px solid #d1d9e0; padding-bottom: 0.2em; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: 0.2em; }
h3 { font-size: 1.25em; }
p, ul, ol, table, pre, blockquote { margin: 0 0 0.9em; }
a { color: #0969da; text-decoration: none; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
code { background: #eff1f3; border-radius: 4px; padding: 0.1em 0.3em; }
pre { background: #f6f8fa; border-radius: 6px; padding: 0.8em 1em; white-space: pre-wrap; break-inside: avoid; }
pre code { background: none; padding: 0; }
blockquote { border-left: 0.25em solid #d1d9e0; color: #59636e; padding: 0 1em; margin-left: 0; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d1d9e0; padding: 0.3em 0.7em; }
th { background: #f6f8fa; }
tr { break-inside: avoid; }
img { max-width: 100%; }
hr { border: 0; border-top: 1px solid #d1d9e0; margin: 1.5em 0; }
li > input[type=checkbox] { margin: 0 0.4em 0 -1.3em; }
ul:has(> li > input[type=checkbox]) { list-style: none; }
.footnotes { font-size: 0.9em; border-top: 1px solid #d1d9e0; margin-top: 2em; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;

/** `css` inside a <style> element: a closing tag in it would end the element early. */
const styleText = (css: string): string => css.replace(/<\/(style)/gi, '<\\/$1');

export const markdownToHtml = (markdown: string, options: { css?: string; allowHtml: boolean }): string => {
  const body = micromark(markdown, {
    allowDangerousHtml: options.allowHtml,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });
  return `<!doctype html><html><head><meta charset="utf-8"><style>${styleText(options.css ?? DEFAULT_MARKDOWN_CSS)}</style></head><body>${body}</body></html>`;
};
