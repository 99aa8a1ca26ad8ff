import { type ImageSize, imageSize } from './image-size.ts';

/**
 * Bitmaps inlined as `data:` URIs, found and sized before rendering. Chromium decodes a bitmap from a
 * `data:` URI whatever media type it declares (text/plain, none at all), with HTML character
 * references and whitespace anywhere in it and tabs or newlines in its scheme, so the scan looks at
 * every `data:` URI but `image/svg+xml` and reads it the way Chromium does. SVG is left alone: it is
 * not a bitmap, and its size is bounded by the renderer's memory cap.
 */

export interface DataImage extends ImageSize {
  /** 1-based position among the data: bitmaps of the text it was found in. */
  index: number;
  /** Character offset of its `data:` in that text. */
  offset: number;
  /** The payload as Chromium reads it: the same URI written twice is decoded once. */
  payload: string;
}

const GAP = '(?:[\\t\\n\\r]|&Tab;|&NewLine;|&#0*(?:9|10|13);?|&#x0*(?:9|a|d);?)*';
/** A character as itself or as a numeric character reference. */
const spelled = (char: string): string => {
  const code = char.charCodeAt(0);
  const literal = /[a-z]/i.test(char) ? `[${char.toLowerCase()}${char.toUpperCase()}]` : char;
  return `(?:${literal}|&#0*${code};?|&#[xX]0*${code.toString(16)};?${char === ':' ? '|&colon;' : ''})`;
};
const DATA_SCHEME = new RegExp([...'data:'].map(spelled).join(GAP), 'g');

const NAMED: Record<string, string> = {
  comma: ',',
  equals: '=',
  NewLine: '\n',
  plus: '+',
  semi: ';',
  sol: '/',
  Tab: '\t',
};
const REFERENCE = /&(?:#[xX]([0-9a-fA-F]{1,6});?|#(\d{1,7});?|([a-zA-Z]+);)/y;

/** One character of a URL at `i` in HTML text: a character reference decoded. Returns [char, next]. */
const readChar = (text: string, i: number): [string, number] => {
  const char = text[i] ?? '';
  if (char !== '&') return [char, i + 1];
  REFERENCE.lastIndex = i;
  const match = REFERENCE.exec(text);
  if (!match) return [char, i + 1];
  const [whole, hex, dec, name] = match;
  const code = hex ? Number.parseInt(hex, 16) : dec ? Number.parseInt(dec, 10) : undefined;
  const decoded =
    code !== undefined && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : NAMED[name ?? ''];
  return decoded === undefined ? [char, i + 1] : [decoded, i + whole.length];
};

const URL_END = /["'<>()`]/;
const BASE64_RUN = /[A-Za-z0-9+/=]+/y;
const BASE64_CHAR = /^[A-Za-z0-9+/=]$/;
const WHITESPACE = /^[\t\n\f\r ]$/;

/** The base64 payload from `start`: runs of base64 with whitespace, references or %XX between them. */
const readBase64 = (text: string, start: number): { payload: string; end: number } => {
  const parts: string[] = [];
  let i = start;
  for (;;) {
    BASE64_RUN.lastIndex = i;
    const run = BASE64_RUN.exec(text);
    if (run) {
      parts.push(run[0]);
      i += run[0].length;
    }
    let [char, next] = readChar(text, i);
    if (char === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      char = String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 3), 16));
      next = i + 3;
    }
    if (BASE64_CHAR.test(char)) parts.push(char);
    else if (!WHITESPACE.test(char)) break;
    i = next;
  }
  return { payload: parts.join(''), end: i };
};

/** A percent-encoded payload from `start`, as bytes (latin1 in a string), to the end of the URL. */
const readPercent = (text: string, start: number): { payload: string; end: number } => {
  let bytes = '';
  let i = start;
  while (i < text.length) {
    const [char, next] = readChar(text, i);
    if (URL_END.test(char) || WHITESPACE.test(char)) break;
    if (char === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes += String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
      continue;
    }
    bytes += char.charCodeAt(0) < 0x80 ? char : Buffer.from(char, 'utf8').toString('latin1');
    i = next;
  }
  return { payload: bytes, end: i };
};

const PLAIN_HEADER = /[-\w.+/;= ]{0,256},/y;

/** The media type and parameters up to the comma, or undefined when no comma closes them. */
const readHeader = (text: string, start: number): { header: string; end: number } | undefined => {
  PLAIN_HEADER.lastIndex = start;
  const plain = PLAIN_HEADER.exec(text);
  if (plain) return { header: plain[0].slice(0, -1), end: start + plain[0].length };
  let header = '';
  let i = start;
  while (i < text.length && header.length <= 256) {
    const [char, next] = readChar(text, i);
    if (char === ',') return { header, end: next };
    if (URL_END.test(char)) return undefined;
    if (!/[\t\n\r]/.test(char)) header += char;
    i = next;
  }
  return undefined;
};

/** Bytes enough for any header but JPEG's and GIF's: those are read whole if they need more. */
const HEADER_BASE64_CHARS = 128;

/** First base64 characters of the formats `imageSize` reads: PNG, JPEG, GIF, WebP, BMP, ICO and AVIF. */
const BITMAP_BASE64_START = /^[i/RUQA]/;

const sizeOf = (payload: string, base64: boolean): ImageSize | undefined => {
  if (base64 && !BITMAP_BASE64_START.test(payload)) return undefined;
  const bytesOf = (chars: string) => (base64 ? Buffer.from(chars, 'base64') : Buffer.from(chars, 'latin1'));
  const head = base64 ? payload.slice(0, HEADER_BASE64_CHARS) : payload.slice(0, 96);
  const first = imageSize(bytesOf(head), head.length === payload.length);
  if (first !== 'more') return first;
  const whole = imageSize(bytesOf(payload), true);
  return whole === 'more' ? undefined : whole;
};

/**
 * Every data: bitmap in `text` with its declared size, in document order.
 *
 * @example
 * findDataImages('<img src="data:image/png;base64,iVBORw0KGgo...">');
 * // [{ index: 1, offset: 10, format: 'PNG', width: 20000, height: 20000, payload: 'iVBORw0KGgo...' }]
 */
export const findDataImages = (text: string): DataImage[] => {
  const found: DataImage[] = [];
  DATA_SCHEME.lastIndex = 0;
  for (let match = DATA_SCHEME.exec(text); match; match = DATA_SCHEME.exec(text)) {
    const offset = match.index;
    const head = readHeader(text, DATA_SCHEME.lastIndex);
    if (!head) continue;
    const mediaType = head.header.toLowerCase();
    if (mediaType.trimStart().startsWith('image/svg')) continue;
    const base64 = /;\s*base64\s*$/.test(mediaType);
    const { payload, end } = base64 ? readBase64(text, head.end) : readPercent(text, head.end);
    DATA_SCHEME.lastIndex = Math.max(end, DATA_SCHEME.lastIndex);
    const size = sizeOf(payload, base64);
    if (size) found.push({ ...size, index: found.length + 1, offset, payload });
  }
  return found;
};
