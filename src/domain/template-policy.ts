/**
 * What a header or footer template may contain. Chromium renders them in a print context of its own
 * that is not meant to load anything (a stylesheet `<link>` or an `@import` there crashed the
 * renderer), so a template may hold markup, inline `<style>` and `data:` images, and nothing that
 * loads or runs.
 */

/** Named references that can spell URL or markup syntax; numeric ones are decoded whatever they are. */
const NAMED_REFERENCES: Record<string, string> = {
  amp: '&',
  apos: "'",
  bsol: '\\',
  colon: ':',
  comma: ',',
  commat: '@',
  equals: '=',
  excl: '!',
  gt: '>',
  lowbar: '_',
  lpar: '(',
  lt: '<',
  NewLine: '\n',
  num: '#',
  percnt: '%',
  period: '.',
  plus: '+',
  quest: '?',
  quot: '"',
  rpar: ')',
  semi: ';',
  sol: '/',
  Tab: '\t',
};

const codePoint = (value: number): string =>
  Number.isFinite(value) && value > 0 && value <= 0x10ffff && (value < 0xd800 || value > 0xdfff)
    ? String.fromCodePoint(value)
    : '\ufffd';

/** HTML character references, as the parser decodes them in attribute values (semicolon optional). */
const decodeHtmlReferences = (text: string): string =>
  text.replace(/&(?:#[xX]([0-9a-fA-F]+);?|#(\d+);?|([a-zA-Z]+);)/g, (whole, hex, dec, name) => {
    if (hex !== undefined) return codePoint(Number.parseInt(hex, 16));
    if (dec !== undefined) return codePoint(Number.parseInt(dec, 10));
    return NAMED_REFERENCES[name] ?? whole;
  });

/** CSS escapes (`\72`, `\000072 `, `\r`) and escaped newlines, as the CSS tokenizer reads them. */
const decodeCssEscapes = (text: string): string =>
  text.replace(
    /\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\n\r\f])?|(\r\n|[\n\r\f])|([\s\S]))/g,
    (_, hex, _newline, char) => (hex !== undefined ? codePoint(Number.parseInt(hex, 16)) : (char ?? '')),
  );

/** Elements that load, run, embed or navigate, or (SMIL) can rewrite an attribute to a URL. */
const FORBIDDEN_ELEMENT =
  /<\/?(link|script|iframe|frame|frameset|object|embed|applet|meta|base|portal|fencedframe|animate|animatemotion|animatetransform|set)(?=[\s/>]|$)/i;
const EVENT_HANDLER = /[\s"'/](on[a-z][\w:-]*)\s*=/i;
/** The URL parser drops tabs and newlines anywhere in a URL, so they may split the scheme. */
const SCRIPT_SCHEME = /(?:j\s*a\s*v\s*a|v\s*b)\s*s\s*c\s*r\s*i\s*p\s*t\s*:/i;
const CSS_IMPORT = /@import/i;
const URL_ATTRIBUTE =
  /(?:^|[\s"'/])(src|srcset|imagesrcset|href|xlink:href|xml:base|poster|data|background|action|formaction|lowsrc|dynsrc|ping|cite|longdesc|codebase|archive|manifest|icon|profile|usemap|attributionsrc)\s*=\s*("[^"]*"|'[^']*'|[^\s>]*)/gi;
const CSS_URL = /(?:url|src)\s*\(\s*("[^"]*"|'[^']*'|[^)]*)/gi;
/** CSS functions that take a plain string as an image URL: `image-set("a.png" 1x)`. */
const CSS_STRING_IMAGE = /(?:-webkit-)?image(?:-set)?\s*\(/gi;
const CSS_STRING = /(type\s*\(\s*)?("[^"]*"|'[^']*')/gi;

/** Base64 payloads of data: URIs: their "+/=" alphabet could spell "/onab=" or "/data=" by chance. */
const BASE64_PAYLOAD = /(data:[^,"'()<>\s]*;base64,)[A-Za-z0-9+/=]+/gi;

const unquote = (value: string): string => value.replace(/^(["'])([\s\S]*)\1$/, '$2');

/** Only `data:` URIs and same-document `#fragments` load nothing; an empty value loads nothing either. */
const isInert = (url: string): boolean => {
  const bare = unquote(url.trim())
    .replace(/[\t\n\r]/g, '')
    .trim();
  return bare === '' || bare.startsWith('#') || /^data:/i.test(bare);
};

/** A srcset lists "url descriptor" candidates separated by commas; the URLs are what must be inert. */
const srcsetUrls = (value: string): string[] =>
  unquote(value)
    .split(/[\s]+/)
    .map((token) => token.replace(/^,+/, ''))
    .filter((token) => token !== '' && !/^\d+(?:\.\d+)?[wxh],?$/i.test(token));

const excerpt = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
};

/** The argument text of the function whose "(" ends at `open`, up to its matching ")". */
const argumentsFrom = (text: string, open: number): string => {
  let depth = 1;
  for (let i = open; i < text.length; i += 1) {
    const char = text[i];
    if (char === '(') depth += 1;
    else if (char === ')' && --depth === 0) return text.slice(open, i);
  }
  return text.slice(open);
};

const firstProblem = (text: string): string | undefined => {
  const element = FORBIDDEN_ELEMENT.exec(text);
  if (element?.[1]) return `<${element[1].toLowerCase()}>`;
  if (CSS_IMPORT.test(text)) return '@import';
  const handler = EVENT_HANDLER.exec(text);
  if (handler?.[1]) return `the event handler ${handler[1].toLowerCase()}=`;
  if (SCRIPT_SCHEME.test(text)) return 'a javascript: or vbscript: URL';
  for (const match of text.matchAll(URL_ATTRIBUTE)) {
    const [, name = '', value = ''] = match;
    const urls = /srcset$/i.test(name) ? srcsetUrls(value) : [value];
    if (!urls.every(isInert)) return `${name.toLowerCase()}=${excerpt(value)}`;
  }
  for (const match of text.matchAll(CSS_URL)) {
    if (!isInert(match[1] ?? '')) return `url(${excerpt(match[1] ?? '')})`;
  }
  for (const match of text.matchAll(CSS_STRING_IMAGE)) {
    const args = argumentsFrom(text, (match.index ?? 0) + match[0].length);
    for (const string of args.matchAll(CSS_STRING)) {
      if (!string[1] && !isInert(string[2] ?? '')) return `${match[0].replace(/\s+/g, '')}${excerpt(args)})`;
    }
  }
  return undefined;
};

/**
 * Why `template` may load or run something, or undefined when it cannot. The match is textual and
 * errs towards refusing: it reads the template with HTML character references and CSS escapes decoded
 * (as Chromium would read an attribute value or a stylesheet), without removing comments, so neither
 * encoding nor a comment can hide a construct, and a construct inside a comment is refused too.
 *
 * @example
 * templateProblem('<link rel=stylesheet href="https://example.com/x.css">');
 * // 'must not load or run anything: found <link> (only data: URIs and #fragments may be referenced)'
 * templateProblem('<style>p{color:red}</style><img src="data:image/png;base64,iVBOR...">'); // undefined
 */
export const templateProblem = (template: string): string | undefined => {
  const decoded = decodeCssEscapes(decodeHtmlReferences(template));
  const found = firstProblem(decoded.replace(BASE64_PAYLOAD, '$1'));
  return found
    ? `must not load or run anything: found ${found} (only data: URIs and #fragments may be referenced)`
    : undefined;
};
