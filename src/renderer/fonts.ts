import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * podpdf's fonts: fonts/bundled (laid out from npm packages, fonts/install.ts) and fonts/extra (a
 * deployment's own), seen through fonts/fonts.conf only. The folder sits two levels above this module
 * both in src/renderer/ and in the deployed dist/runtime/ bundle.
 */
export const FONTS_DIR = fileURLToPath(new URL('../../fonts/', import.meta.url));

/**
 * The environment Chromium's fontconfig reads: podpdf's fonts.conf instead of the host's (so host
 * fonts stay hidden), and its cache in the writable temporary folder (/tmp on Lambda, the project's
 * .tmp locally). @sparticuz/chromium's FONTCONFIG_PATH is left as is: FONTCONFIG_FILE wins.
 */
export const fontEnvironment = (): Record<string, string> => ({
  FONTCONFIG_FILE: `${FONTS_DIR}fonts.conf`,
  XDG_CACHE_HOME: tmpdir(),
});

interface Families {
  standard?: string;
  sansSerif?: string;
  serif?: string;
  fixed?: string;
}

/** The bundled face for text in one script, for every generic family but monospace. */
const scriptFamily = (
  script: string,
  sans: string,
  serif = sans,
): { script: string; fontFamilies: Families } => ({
  script,
  fontFamilies: { standard: sans, sansSerif: sans, serif },
});

/**
 * Chromium's generic families per script (`Page.setFontFamilies`), set on every page. fonts.conf
 * already resolves the generics, but text a font lacks is drawn by per-character fallback, which
 * only finds regular faces (bold is then synthesized, and printed as Type 3 outlines). Naming the
 * script's face here lets text whose `lang` gives its script use the real bold.
 */
export const FONT_FAMILIES = {
  fontFamilies: {
    standard: 'Open Sans',
    sansSerif: 'Open Sans',
    serif: 'Noto Serif',
    fixed: 'Noto Sans Mono',
  },
  forScripts: [
    scriptFamily('Hans', 'Noto Sans SC'),
    scriptFamily('Hant', 'Noto Sans TC'),
    scriptFamily('Jpan', 'Noto Sans JP'),
    scriptFamily('Kore', 'Noto Sans KR'),
    scriptFamily('Hang', 'Noto Sans KR'),
    scriptFamily('Arab', 'Noto Sans Arabic', 'Noto Naskh Arabic'),
    scriptFamily('Hebr', 'Noto Sans Hebrew'),
    scriptFamily('Deva', 'Noto Sans Devanagari'),
    scriptFamily('Beng', 'Noto Sans Bengali'),
    scriptFamily('Taml', 'Noto Sans Tamil'),
    scriptFamily('Thai', 'Noto Sans Thai'),
  ],
};
