import type { PdfMetadata } from '../domain/pdf-output.ts';
import type { PdfFile } from './pdf-file.ts';
import { objectOffset } from './pdf-xref.ts';

/**
 * The document information dictionary (PDF 32000-1 §14.3.3). With `options.metadata`, a new Info
 * dictionary is appended to Chromium's PDF as an incremental update (§7.5.6): the new object, a
 * cross-reference section for it alone and a trailer whose /Prev points at Chromium's. Chromium's
 * bytes stay as they are; nothing is parsed beyond the trailer and the old Info dictionary.
 */

/** Raw PDF tokens of a dictionary's entries, keys without their slash ("Title" → "(Invoice)"). */
export type DictEntries = Map<string, string>;

/** A PDF text string: a literal for printable ASCII, else UTF-16BE with its byte order mark. */
export const pdfTextString = (text: string): string => {
  if (/^[\x20-\x7e]*$/.test(text)) return `(${text.replace(/[\\()]/g, '\\$&')})`;
  const utf16 = Buffer.from(text, 'utf16le').swap16();
  return `<FEFF${utf16.toString('hex').toUpperCase()}>`;
};

/** An ISO 8601 date-time with offset ("2026-03-01T09:30:00+01:00") as a PDF date string, offset kept. */
export const pdfDate = (iso: string): string => {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|([+-])(\d\d):(\d\d))$/i.exec(iso);
  if (!match) throw new TypeError(`not an ISO 8601 date-time with offset: ${iso}`);
  const [, year, month, day, hour, minute, second, zone, sign, offsetHours, offsetMinutes] = match;
  const offset = zone?.toUpperCase() === 'Z' ? "+00'00'" : `${sign}${offsetHours}'${offsetMinutes}'`;
  return `(D:${year}${month}${day}${hour}${minute}${second}${offset})`;
};

/** The Info entries `metadata` sets, as PDF tokens. */
const metadataEntries = (metadata: PdfMetadata): DictEntries => {
  const entries: DictEntries = new Map();
  const texts = [
    ['Title', metadata.title],
    ['Author', metadata.author],
    ['Subject', metadata.subject],
    ['Keywords', metadata.keywords],
    ['Creator', metadata.creator],
  ] as const;
  for (const [key, value] of texts) if (value !== undefined) entries.set(key, pdfTextString(value));
  if (metadata.creationDate !== undefined) entries.set('CreationDate', pdfDate(metadata.creationDate));
  return entries;
};

/** Chromium's entries (Title, Creator, Producer, dates) with those `metadata` gives replaced. */
export const mergeInfo = (previous: DictEntries | undefined, metadata: PdfMetadata): DictEntries =>
  new Map([...(previous ?? []), ...metadataEntries(metadata)]);

const DELIMITER = /[\s()<>[\]{}/%]/;

/** End (exclusive) of the literal string starting at `start` ("("), or -1. */
const literalEnd = (text: string, start: number): number => {
  let depth = 0;
  for (let i = start; i < text.length; i += 1) {
    const char = text[i];
    if (char === '\\') i += 1;
    else if (char === '(') depth += 1;
    else if (char === ')' && --depth === 0) return i + 1;
  }
  return -1;
};

/**
 * The entries of the dictionary that starts at the first "<<" of `text`, values as raw tokens; only
 * strings, names, numbers, booleans, references and flat arrays (what Info and trailer dictionaries
 * hold). Undefined for anything else, such as nested dictionaries.
 */
export const parseDictEntries = (text: string): DictEntries | undefined => {
  const entries: DictEntries = new Map();
  let i = text.indexOf('<<');
  if (i < 0) return undefined;
  i += 2;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i += 1;
    if (text.startsWith('>>', i)) return entries;
    if (text[i] !== '/') return undefined;
    let keyEnd = i + 1;
    while (keyEnd < text.length && !DELIMITER.test(text[keyEnd] ?? '')) keyEnd += 1;
    const key = text.slice(i + 1, keyEnd);
    i = keyEnd;
    while (i < text.length && /\s/.test(text[i] ?? '')) i += 1;
    let end: number;
    if (text[i] === '(') end = literalEnd(text, i);
    else if (text[i] === '<' && text[i + 1] !== '<') end = text.indexOf('>', i) + 1;
    else if (text[i] === '[') end = text.indexOf(']', i) + 1;
    else if (/[{<]/.test(text[i] ?? '')) return undefined;
    else {
      // A name, number, boolean or "n g R": up to the next key or the dictionary's end.
      const rest = /\/|>>/.exec(text.slice(i + 1));
      end = rest ? i + 1 + rest.index : -1;
    }
    if (end <= i) return undefined;
    entries.set(key, text.slice(i, end).trim());
    i = end;
  }
};

const serialize = (entries: DictEntries): string =>
  `<<${[...entries].map(([key, value]) => `/${key} ${value}`).join('\n')}>>`;

/** Object `id`'s dictionary, read from its offset up to `endobj` (growing reads for a long title). */
const readObject = (pdf: PdfFile, xrefOffset: number, id: number): string | undefined => {
  const offset = objectOffset(pdf, xrefOffset, id);
  if (offset === undefined) return undefined;
  for (const size of [4096, 65_536, 1_048_576]) {
    const text = pdf.latin1(offset, offset + size);
    if (!text.startsWith(`${id} 0 obj`)) return undefined;
    const end = text.indexOf('endobj');
    if (end >= 0) return text.slice(0, end);
  }
  return undefined;
};

const reference = (raw: string | undefined): number | undefined => {
  const id = raw && /^(\d+) 0 R$/.exec(raw)?.[1];
  return id ? Number(id) : undefined;
};

/**
 * `pdf` with `metadata` in a new Info dictionary appended as an incremental update; undefined when
 * `pdf` does not end in a classic cross-reference table and trailer (Chromium's always do), or is
 * encrypted.
 */
export const appendInfo = (pdf: PdfFile, metadata: PdfMetadata): PdfFile | undefined => {
  const tailStart = Math.max(0, pdf.byteLength - 4096);
  const tail = pdf.latin1(tailStart, pdf.byteLength);
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  const trailerAt = tail.lastIndexOf('trailer');
  if (!startxref?.[1] || trailerAt < 0) return undefined;
  const xrefOffset = Number(startxref[1]);
  if (!pdf.latin1(xrefOffset, xrefOffset + 4).startsWith('xref')) return undefined;
  const trailer = parseDictEntries(tail.slice(trailerAt + 'trailer'.length));
  const size = Number(trailer?.get('Size'));
  const root = trailer?.get('Root');
  if (!trailer || !Number.isInteger(size) || !root || trailer.has('Encrypt')) return undefined;

  const infoId = reference(trailer.get('Info'));
  const oldInfo = infoId === undefined ? undefined : readObject(pdf, xrefOffset, infoId);
  const info = mergeInfo(oldInfo === undefined ? undefined : parseDictEntries(oldInfo), metadata);

  const lastByte = pdf.latin1(pdf.byteLength - 1, pdf.byteLength);
  const lead = lastByte === '\n' || lastByte === '\r' ? '' : '\n';
  const object = `${lead}${size} 0 obj\n${serialize(info)}\nendobj\n`;
  const objectAt = pdf.byteLength + Buffer.byteLength(lead);
  const newTrailer: DictEntries = new Map([
    ['Size', String(size + 1)],
    ['Root', root],
    ['Info', `${size} 0 R`],
    ['Prev', String(xrefOffset)],
  ]);
  const id = trailer.get('ID');
  if (id) newTrailer.set('ID', id);
  // Each cross-reference entry is exactly 20 bytes: offset, generation, "n", then space and newline.
  const xref = `xref\n${size} 1\n${String(objectAt).padStart(10, '0')} 00000 n \n`;
  const newXrefAt = pdf.byteLength + Buffer.byteLength(object, 'latin1');
  const update = `${object}${xref}trailer\n${serialize(newTrailer)}\nstartxref\n${newXrefAt}\n%%EOF\n`;
  return pdf.append(new Uint8Array(Buffer.from(update, 'latin1')));
};
