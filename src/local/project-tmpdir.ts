import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The project root, two levels above this file. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Points TMPDIR at `<project>/.tmp`: @sparticuz/chromium unpacks ~200 MB there on first launch and
 * reuses it afterwards. Must run before anything asks os.tmpdir(). PODPDF_TMPDIR picks another directory.
 */
export const useProjectTmpdir = (): string => {
  const dir = process.env.PODPDF_TMPDIR ?? `${PROJECT_ROOT}.tmp`;
  mkdirSync(dir, { recursive: true });
  process.env.TMPDIR = dir;
  return dir;
};
