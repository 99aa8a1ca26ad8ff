import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  type PDFDocument,
  PDFName,
  PDFNumber,
  type PDFObject,
  PDFRawStream,
  PDFRef,
} from 'pdf-lib';

/** What one font of a PDF draws: read from the page content and the font's own dictionaries. */
export interface DrawnFont {
  /** BaseFont without its subset prefix; Type 3 fonts have none. */
  name: string | undefined;
  subtype: string;
  /** Glyphs drawn that are the font's .notdef (a missing glyph's box): CID 0, or a Type 3 `/g0`. */
  notdefs: number;
  /** Text the drawn glyphs stand for, from the font's ToUnicode CMap. */
  text: string;
}

const bytesOf = (stream: PDFObject | undefined): string =>
  stream instanceof PDFRawStream ? Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1') : '';

const hexToUnicode = (hex: string): string =>
  Buffer.from(hex.length % 4 ? `00${hex}` : hex, 'hex')
    .swap16()
    .toString('utf16le');

/** Code (as hex, as it appears in the content) → text, from a ToUnicode CMap's bfchar and bfrange. */
const parseToUnicode = (cmap: string): Map<number, string> => {
  const map = new Map<number, string>();
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, code = '', text = ''] of (block[1] ?? '').matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g))
      map.set(Number.parseInt(code, 16), hexToUnicode(text));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo = '', hi = '', start = ''] of (block[1] ?? '').matchAll(
      /<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g,
    )) {
      const first = hexToUnicode(start).codePointAt(0) ?? 0;
      for (let code = Number.parseInt(lo, 16); code <= Number.parseInt(hi, 16); code += 1)
        map.set(code, String.fromCodePoint(first + code - Number.parseInt(lo, 16)));
    }
  }
  return map;
};

/** The glyph codes each `/Fn size Tf` font draws with Tj and TJ in one content stream. */
const codesByFont = (content: string): Map<string, string[]> => {
  const drawn = new Map<string, string[]>();
  let font = '';
  for (const [, name, tj, tjArray] of content.matchAll(
    /\/([^\s/]+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|\[([^\]]*)\]\s*TJ/g,
  )) {
    if (name) font = name;
    const strings =
      tj !== undefined ? [tj] : [...(tjArray ?? '').matchAll(/<([0-9A-Fa-f]*)>/g)].map((m) => m[1]);
    if (name === undefined) drawn.set(font, [...(drawn.get(font) ?? []), ...strings.map((s) => s ?? '')]);
  }
  return drawn;
};

/**
 * Every font the PDF's pages draw with, what each draws and how many of its glyphs are .notdef boxes;
 * plus the text of the `/ActualText` spans (Chromium's mapping of shaped clusters to their text).
 */
export const drawnFonts = (doc: PDFDocument): { fonts: DrawnFont[]; actualText: string } => {
  const fonts = new Map<PDFDict, DrawnFont>();
  let actualText = '';
  for (const page of doc.getPages()) {
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray() : [contents];
    const content = streams.map((s) => bytesOf(s instanceof PDFRef ? doc.context.lookup(s) : s)).join('\n');
    for (const [, hex = ''] of content.matchAll(/\/ActualText\s*<FEFF([0-9A-Fa-f]*)>/g))
      actualText += hexToUnicode(hex);
    const resources = page.node.Resources()?.lookup(PDFName.of('Font'), PDFDict);
    for (const [key, codes] of codesByFont(content)) {
      const dict = resources?.lookup(PDFName.of(key), PDFDict);
      if (!dict) continue;
      const subtype = dict.get(PDFName.of('Subtype'))?.toString().slice(1) ?? '';
      const width = subtype === 'Type0' ? 4 : 2;
      const toUnicode = parseToUnicode(bytesOf(dict.lookup(PDFName.of('ToUnicode'))));
      const notdefCodes = new Set<number>(subtype === 'Type0' ? [0] : type3Notdefs(dict));
      const entry = fonts.get(dict) ?? {
        name: dict
          .get(PDFName.of('BaseFont'))
          ?.toString()
          .replace(/^\/([A-Z]{6}\+)?/, ''),
        subtype,
        notdefs: 0,
        text: '',
      };
      for (const hex of codes) {
        for (let at = 0; at + width <= hex.length; at += width) {
          const code = Number.parseInt(hex.slice(at, at + width), 16);
          if (notdefCodes.has(code)) entry.notdefs += 1;
          entry.text += toUnicode.get(code) ?? '';
        }
      }
      fonts.set(dict, entry);
    }
  }
  return { fonts: [...fonts.values()], actualText };
};

/** The codes a Type 3 font's /Differences map to `/g0`, Chromium's name for glyph 0 (.notdef). */
const type3Notdefs = (font: PDFDict): number[] => {
  const differences = font
    .lookup(PDFName.of('Encoding'), PDFDict)
    .lookup(PDFName.of('Differences'), PDFArray);
  const codes: number[] = [];
  let code = 0;
  for (const item of differences.asArray()) {
    if (item instanceof PDFNumber) code = item.asNumber();
    else {
      if (item.toString() === '/g0') codes.push(code);
      code += 1;
    }
  }
  return codes;
};

/**
 * The RGB colours reachable from a Type 3 font's glyphs: `rg`/`sc` operands in its glyph and form
 * streams, and the end colours (C0, C1) of the gradients they paint with.
 */
export const type3Colours = (doc: PDFDocument, font: PDFDict): number[][] => {
  const colours: number[][] = [];
  const seen = new Set<PDFObject>();
  const visit = (object: PDFObject | undefined): void => {
    const value = object instanceof PDFRef ? doc.context.lookup(object) : object;
    if (!value || seen.has(value)) return;
    seen.add(value);
    if (value instanceof PDFRawStream) {
      for (const [, r, g, b] of bytesOf(value).matchAll(
        /([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(?:rg|RG|sc|scn|SC|SCN)\b/g,
      ))
        colours.push([Number(r), Number(g), Number(b)]);
      visit(value.dict);
    } else if (value instanceof PDFDict) {
      for (const [key, item] of value.entries()) {
        const name = key.toString();
        if ((name === '/C0' || name === '/C1') && item instanceof PDFArray && item.size() === 3)
          colours.push(item.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : 0)));
        else if (name !== '/Parent') visit(item);
      }
    } else if (value instanceof PDFArray) {
      for (const item of value.asArray()) visit(item);
    }
  };
  visit(font.get(PDFName.of('CharProcs')));
  visit(font.get(PDFName.of('Resources')));
  return colours;
};

/** The Type 3 font dictionaries of a PDF (Chromium draws colour emoji as Type 3 glyphs). */
export const type3Fonts = (doc: PDFDocument): PDFDict[] =>
  doc.context
    .enumerateIndirectObjects()
    .map(([, object]) => object)
    .filter(
      (object): object is PDFDict =>
        object instanceof PDFDict && object.get(PDFName.of('Subtype'))?.toString() === '/Type3',
    );
