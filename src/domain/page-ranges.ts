/** "1-5, 8, 11-13" and open ends such as "3-": the part of Chromium's page-range syntax podpdf takes. */
export const PAGE_RANGES_SYNTAX = /^\d+(\s*-\s*\d*)?(\s*,\s*\d+(\s*-\s*\d*)?)*$/;

const RANGE = /^(\d+)\s*(?:(-)\s*(\d*))?$/;

const shown = (digits: string): string => (digits.length > 24 ? `${digits.slice(0, 20)}…` : digits);

/**
 * What is wrong with `text` as a page selection, or undefined when Chromium will take it. Chromium
 * reads page numbers as 32-bit unsigned integers ("1-4294967296" is its "Page range syntax error") and
 * refuses 0 and a start after the end ("Page range is invalid (start > end)"); all three are mistakes
 * in the request, not in the document, so they are named here rather than after a render. Numbers
 * above `maxPage` are refused too: no document podpdf can render has that many pages.
 */
export const pageRangesProblem = (text: string, maxPage: number): string | undefined => {
  if (!PAGE_RANGES_SYNTAX.test(text)) return 'must look like "1-5, 8, 11-13"';
  for (const piece of text.split(',')) {
    const [, startText = '', dash, endText = ''] = RANGE.exec(piece.trim()) ?? [];
    const pageProblem = (digits: string) => {
      const page = Number(digits);
      if (page === 0) return `"${piece.trim()}": page 0 does not exist, pages are numbered from 1`;
      if (page > maxPage)
        return `"${shown(piece.trim())}": page ${shown(digits.replace(/^0+/, ''))} is beyond ${maxPage}, the highest page number accepted`;
      return undefined;
    };
    const problem = pageProblem(startText) ?? (endText ? pageProblem(endText) : undefined);
    if (problem) return problem;
    if (dash && endText && Number(startText) > Number(endText))
      return `"${piece.trim()}" starts after it ends (write the lower page first)`;
  }
  return undefined;
};
