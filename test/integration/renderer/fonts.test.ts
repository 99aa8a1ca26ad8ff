import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PDFDocument } from 'pdf-lib';
import puppeteer from 'puppeteer-core';
import { postscriptName } from '../../../fonts/sfnt.ts';
import { renderOptionsSchema } from '../../../src/domain/render-request.ts';
import { useProjectTmpdir } from '../../../src/local/project-tmpdir.ts';
import { chromiumArgs, getBrowser } from '../../../src/renderer/browser.ts';
import { FONTS_DIR } from '../../../src/renderer/fonts.ts';
import { closeRenderer } from '../../../src/renderer/pages.ts';
import { renderPdf } from '../../../src/renderer/render.ts';
import { parsePdf } from '../../helpers/pdf.ts';
import { drawnFonts, type3Colours, type3Fonts } from '../../helpers/pdf-fonts.ts';

const OPTIONS = renderOptionsSchema.parse({});
const render = async (html: string): Promise<Uint8Array> =>
  (
    await renderPdf(html, OPTIONS, {
      deadline: Date.now() + 30_000,
      maxPages: 100,
      allowPrivateNetwork: false,
      streamPdf: false,
    })
  ).file.bytes;

/** The PostScript names of the faces in fonts/bundled: the only fonts a PDF may embed. */
const bundledFaces = (): Set<string> => {
  const names = new Set<string>();
  const dir = join(FONTS_DIR, 'bundled');
  for (const family of readdirSync(dir)) {
    for (const file of readdirSync(join(dir, family)).filter((f) => f.endsWith('.ttf'))) {
      names.add(postscriptName(readFileSync(join(dir, family, file))) ?? file);
    }
  }
  return names;
};

/** Text per script, each in a paragraph of its language, regular then bold, and the faces expected. */
const SCRIPTS: { lang: string; text: string; bold: string; face: string; style?: string }[] = [
  { lang: 'en', text: 'Sans Ελληνικά Кириллица', bold: 'Ωμέγα Жирный', face: 'OpenSans' },
  {
    lang: 'en',
    text: 'Serif Ελληνικά Кириллица',
    bold: 'Ωμέγα Жирный',
    face: 'NotoSerif',
    style: 'font-family: serif',
  },
  {
    lang: 'en',
    text: 'Mono Ελληνικά Кириллица',
    bold: 'Ωμέγα Жирный',
    face: 'NotoSansMono',
    style: 'font-family: monospace',
  },
  { lang: 'zh-CN', text: '简体中文的段落', bold: '粗体', face: 'NotoSansSC' },
  { lang: 'zh-TW', text: '繁體中文的段落', bold: '粗體', face: 'NotoSansTC' },
  { lang: 'ja', text: 'ひらがなとカタカナと漢字', bold: '太字', face: 'NotoSansJP' },
  { lang: 'ko', text: '한국어 문장입니다', bold: '굵게', face: 'NotoSansKR' },
  { lang: 'ar', text: 'مرحبا بالعالم', bold: 'عريض', face: 'NotoSansArabic' },
  { lang: 'ar', text: 'مرحبا بالعالم', bold: 'عريض', face: 'NotoNaskhArabic', style: 'font-family: serif' },
  { lang: 'he', text: 'שלום עולם', bold: 'מודגש', face: 'NotoSansHebrew' },
  { lang: 'hi', text: 'नमस्ते दुनिया', bold: 'मोटा अक्षर', face: 'NotoSansDevanagari' },
  { lang: 'bn', text: 'ওহে বিশ্ব', bold: 'গাঢ় লেখা', face: 'NotoSansBengali' },
  { lang: 'ta', text: 'வணக்கம் உலகம்', bold: 'தடித்த எழுத்து', face: 'NotoSansTamil' },
  { lang: 'th', text: 'สวัสดีชาวโลก', bold: 'ตัวหนา', face: 'NotoSansThai' },
];
const EMOJI = '😀🎉';

const multilingual = `<!doctype html><html><head><meta charset="utf-8"></head><body>${SCRIPTS.map(
  ({ lang, text, bold, style }) =>
    `<p lang="${lang}"${style ? ` style="${style}"` : ''}>${text} <b>${bold}</b></p>`,
).join('')}<p>${EMOJI}</p></body></html>`;

const codePoints = (text: string): Set<string> => new Set([...text].filter((c) => c.trim() !== ''));

describe('bundled fonts', () => {
  /** A home whose fonts only the host's own fontconfig would see. */
  let home: string;

  before(() => {
    useProjectTmpdir();
    home = mkdtempSync(join(tmpdir(), 'podpdf-home-'));
    const planted = fileURLToPath(
      import.meta.resolve('pdfjs-dist/standard_fonts/LiberationSans-Regular.ttf'),
    );
    for (const dir of ['.fonts', '.local/share/fonts']) {
      mkdirSync(join(home, dir), { recursive: true });
      copyFileSync(planted, join(home, dir, 'LiberationSans-Regular.ttf'));
    }
    // Read when Chromium launches, below.
    process.env.HOME = home;
    process.env.XDG_DATA_HOME = join(home, '.local/share');
  });
  after(async () => {
    await closeRenderer();
    rmSync(home, { recursive: true, force: true });
  });

  it('draws every script, in sans, serif and monospace, regular and bold, with bundled faces and no missing glyph', async () => {
    const bytes = await render(multilingual);
    const { fonts, actualText } = drawnFonts(await PDFDocument.load(bytes));
    const bundled = bundledFaces();
    const drawnNames = new Set(fonts.filter((f) => f.subtype === 'Type0').map((f) => f.name));
    for (const name of drawnNames) assert.ok(bundled.has(name ?? ''), `${name} is a bundled face`);
    for (const { face } of SCRIPTS) {
      assert.ok(drawnNames.has(`${face}-Regular`), `${face}-Regular is used`);
      assert.ok(drawnNames.has(`${face}-Bold`), `${face}-Bold is used (not a synthesized bold)`);
    }
    for (const font of fonts)
      assert.equal(font.notdefs, 0, `${font.name ?? font.subtype} draws no .notdef box`);
    // Every character of the document maps back from a glyph of an embedded font.
    const drawn = codePoints(fonts.map((f) => f.text).join('') + actualText);
    const missing = [...codePoints(SCRIPTS.map((s) => s.text + s.bold).join('') + EMOJI)].filter(
      (c) => !drawn.has(c),
    );
    assert.deepEqual(missing, [], 'characters drawn by no embedded font');
    // An independent reader finds the text (pdfjs ignores /ActualText, which some glyphs rely on).
    const text = (await parsePdf(bytes)).pageTexts.join(' ');
    for (const sample of ['Ελληνικά', 'Кириллица', '简体中', '한국어', 'ひらがな', 'שלום'])
      assert.ok(text.includes(sample), sample);
  });

  it('draws emoji in colour', async () => {
    const doc = await PDFDocument.load(await render(`<p style="font-size: 40px">${EMOJI}</p>`));
    const emoji = drawnFonts(doc).fonts;
    assert.ok(emoji.length > 0 && emoji.every((f) => f.subtype === 'Type3' && f.notdefs === 0));
    assert.deepEqual(codePoints(emoji.map((f) => f.text).join('')), codePoints(EMOJI));
    const colours = type3Fonts(doc).flatMap((font) => type3Colours(doc, font));
    assert.ok(
      colours.some((rgb) => Math.max(...rgb) - Math.min(...rgb) > 0.2),
      `a colour that is not grey among ${JSON.stringify(colours.slice(0, 10))}`,
    );
  });

  it("never uses the host's fonts: a family installed only there, asked for by name, gets the bundled face", async () => {
    const html = `<p style="font-family: 'Liberation Sans'">planted</p><p style="font-family: 'DejaVu Sans'">host</p>`;
    const ours = drawnFonts(await PDFDocument.load(await render(html))).fonts.map((f) => f.name);
    assert.deepEqual(ours, ['OpenSans-Regular']);

    // The same document in the same Chromium with the host's font configuration sees the planted font.
    const browser = await getBrowser();
    const env = { ...process.env };
    delete env.FONTCONFIG_FILE;
    const hostConfigured = await puppeteer.launch({
      executablePath: browser.process()?.spawnfile,
      args: await chromiumArgs('http://127.0.0.1:9'),
      headless: 'shell',
      env,
    });
    try {
      const page = await hostConfigured.newPage();
      await page.setContent(html);
      const theirs = drawnFonts(await PDFDocument.load(await page.pdf())).fonts.map((f) => f.name);
      assert.ok(
        theirs.includes('LiberationSans'),
        `the host configuration finds the planted font: ${theirs}`,
      );
    } finally {
      await hostConfigured.close();
    }
  });
});
