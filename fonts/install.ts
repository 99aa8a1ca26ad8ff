/**
 * Lays out fonts/bundled/ from the pinned @expo-google-fonts packages (run by npm's postinstall and by
 * `npm run build`): one folder per family with its faces and its licence. Only these folders and
 * fonts/extra/ are visible to Chromium (fonts/fonts.conf), locally and on Lambda alike.
 */
import { copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropTables } from './sfnt.ts';

const FONTS_DIR = dirname(fileURLToPath(import.meta.url));
export const BUNDLED_DIR = join(FONTS_DIR, 'bundled');
const PACKAGES_DIR = join(FONTS_DIR, '../node_modules/@expo-google-fonts');

const REGULAR_BOLD = ['400Regular', '700Bold'];
const WITH_ITALICS = [...REGULAR_BOLD, '400Regular_Italic', '700Bold_Italic'];

/** Each bundled family: its package (under @expo-google-fonts), file prefix and faces. */
export const FAMILIES: { pkg: string; prefix: string; faces: string[] }[] = [
  { pkg: 'open-sans', prefix: 'OpenSans', faces: WITH_ITALICS },
  { pkg: 'noto-sans', prefix: 'NotoSans', faces: WITH_ITALICS },
  { pkg: 'noto-serif', prefix: 'NotoSerif', faces: WITH_ITALICS },
  { pkg: 'noto-sans-mono', prefix: 'NotoSansMono', faces: REGULAR_BOLD },
  { pkg: 'noto-sans-sc', prefix: 'NotoSansSC', faces: REGULAR_BOLD },
  { pkg: 'noto-sans-tc', prefix: 'NotoSansTC', faces: REGULAR_BOLD },
  { pkg: 'noto-sans-jp', prefix: 'NotoSansJP', faces: REGULAR_BOLD },
  { pkg: 'noto-sans-kr', prefix: 'NotoSansKR', faces: REGULAR_BOLD },
  { pkg: 'noto-sans-arabic', prefix: 'NotoSansArabic', faces: REGULAR_BOLD },
  { pkg: 'noto-naskh-arabic', prefix: 'NotoNaskhArabic', faces: REGULAR_BOLD },
  { pkg: 'noto-sans-hebrew', prefix: 'NotoSansHebrew', faces: REGULAR_BOLD },
  { pkg: 'noto-sans-devanagari', prefix: 'NotoSansDevanagari', faces: REGULAR_BOLD },
  { pkg: 'noto-sans-bengali', prefix: 'NotoSansBengali', faces: REGULAR_BOLD },
  { pkg: 'noto-sans-tamil', prefix: 'NotoSansTamil', faces: REGULAR_BOLD },
  { pkg: 'noto-sans-thai', prefix: 'NotoSansThai', faces: REGULAR_BOLD },
  { pkg: 'noto-color-emoji', prefix: 'NotoColorEmoji', faces: ['400Regular'] },
];

/**
 * Tables Chromium never reads, left out: Noto Color Emoji carries its pictures twice, as COLRv1
 * (what Skia draws) and as SVG (most of the file).
 */
const UNUSED_TABLES = ['SVG '];

/** A hard link where the file system allows it (no second copy on disk), a copy otherwise. */
const place = (from: string, to: string): void => {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
};

export const installFonts = (): void => {
  rmSync(BUNDLED_DIR, { recursive: true, force: true });
  for (const { pkg, prefix, faces } of FAMILIES) {
    const from = join(PACKAGES_DIR, pkg);
    const to = join(BUNDLED_DIR, pkg);
    mkdirSync(to, { recursive: true });
    for (const face of faces) {
      const file = `${prefix}_${face}.ttf`;
      const source = join(from, face, file);
      const font = readFileSync(source);
      const slim = dropTables(font, UNUSED_TABLES);
      if (slim.length === font.length) place(source, join(to, file));
      else writeFileSync(join(to, file), slim);
    }
    copyFileSync(join(from, 'LICENSE_FONT'), join(to, 'OFL.txt'));
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) installFonts();
