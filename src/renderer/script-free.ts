/**
 * Anything in HTML that can run script, or that renders differently when script is off: script and
 * noscript elements, frames and plugins (a frame's own document may run script), event-handler
 * attributes, javascript:/vbscript: URLs, `http-equiv` (a refresh navigates the page later) and the
 * `scripting` media feature. Matching is textual and errs towards "may run script": a word like
 * "online =" in plain text only costs the document the faster page.
 */
const SCRIPT_SIGNS =
  /<\/?\s*(?:script|noscript|i?frame|frameset|object|embed|applet|portal|fencedframe)\b|\bon[a-z]+\s*=|\b(?:java|vb)script\s*:|\bhttp-equiv\b|\bsrcdoc\b|\bscripting\b/i;

/**
 * True when `html` shows no sign of script. Such a document is printed in a page kept from earlier
 * script-free documents, with JavaScript off, so nothing of one document can run, persist or read
 * another; anything else gets a new page of its own.
 *
 * @example
 * isScriptFree('<h1>Invoice</h1>'); // true
 * isScriptFree('<img src=x onerror="fetch(...)">'); // false
 */
export const isScriptFree = (html: string): boolean => !SCRIPT_SIGNS.test(html);

/** Anything through which a document can bring a web font: an `@font-face` rule or a stylesheet it loads. */
const WEB_FONT_SIGNS = /@font-face|@import|<link\b/i;

/**
 * False when a script-free document can have no web font to wait for: printing then skips waiting
 * for `document.fonts.ready`, a round trip to the page. A document with script may add fonts itself.
 */
export const mayLoadWebFonts = (html: string): boolean => WEB_FONT_SIGNS.test(html);
