import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../src/local/project-tmpdir.ts';

/** The `## Contents` a document should have: its `##` and `###` headings, linked as GitHub anchors them. */
const expectedContents = (text: string): string[] => {
  const seen = new Map<string, number>();
  const items: string[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^(##|###) (.+)$/.exec(line);
    if (!heading || heading[2] === 'Contents') continue;
    const title = heading[2] as string;
    const base = title
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replaceAll(' ', '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    items.push(`${heading[1] === '##' ? '' : '  '}- [${title}](#${count ? `${base}-${count}` : base})`);
  }
  return items;
};

describe('tables of contents', () => {
  for (const file of ['ENDPOINTS.md', 'SPEC.md']) {
    it(`${file} lists its sections`, () => {
      const text = readFileSync(join(PROJECT_ROOT, file), 'utf8');
      const contents = /\n## Contents\n\n((?:.+\n)+)/.exec(text)?.[1]?.trimEnd().split('\n');
      assert.deepEqual(contents, expectedContents(text));
    });
  }
});
