import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PDFDocument } from 'pdf-lib';
import { renderOptionsSchema } from '../../../src/domain/render-request.ts';
import { useProjectTmpdir } from '../../../src/local/project-tmpdir.ts';
import { FONTS_DIR } from '../../../src/renderer/fonts.ts';
import { closeRenderer } from '../../../src/renderer/pages.ts';
import { renderPdf } from '../../../src/renderer/render.ts';
import { drawnFonts } from '../../helpers/pdf-fonts.ts';

/** A deployment's font, dropped into fonts/extra for this test only (before Chromium launches). */
const DROPPED = join(FONTS_DIR, 'extra', `test-${process.pid}`);

describe('fonts/extra', () => {
  before(() => {
    useProjectTmpdir();
    mkdirSync(DROPPED, { recursive: true });
    const font = fileURLToPath(import.meta.resolve('pdfjs-dist/standard_fonts/LiberationSans-Bold.ttf'));
    copyFileSync(font, join(DROPPED, 'LiberationSans-Bold.ttf'));
  });
  after(async () => {
    await closeRenderer();
    rmSync(DROPPED, { recursive: true, force: true });
  });

  it('serves a TTF dropped into fonts/extra to documents that name its family', async () => {
    const { file } = await renderPdf(
      `<p style="font-family: 'Liberation Sans', sans-serif"><b>own font <span lang="ja">日本</span></b></p>`,
      renderOptionsSchema.parse({}),
      { deadline: Date.now() + 30_000, maxPages: 100, allowPrivateNetwork: false, streamPdf: false },
    );
    const names = drawnFonts(await PDFDocument.load(file.bytes)).fonts.map((f) => f.name);
    assert.ok(names.includes('LiberationSans-Bold'), `the dropped font is used: ${names}`);
    assert.ok(names.includes('NotoSansJP-Bold'), `the bundled faces still draw what it lacks: ${names}`);
  });
});
