import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../../src/local/project-tmpdir.ts';
import { parsePdf } from '../../helpers/pdf.ts';
import { startTestStack, type TestStack } from '../../helpers/stack.ts';

const run = promisify(execFile);

/** The machine's own Node (on this project's machines, 20), not the Node 22 npm scripts run on. */
const systemNode = (): string =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .map((dir) => join(dir, 'node'))
    .find((candidate) => existsSync(candidate)) ?? process.execPath;

/**
 * The client as another project gets it: `npm run build:client`, then a project whose node_modules
 * holds podpdf imports `podpdf/client` (package.json `exports`) on the machine's own Node (20 here: no
 * TypeScript), renders through the local stack, and type-checks against the declarations.
 */
describe('the built client, imported as podpdf/client by another project', () => {
  let stack: TestStack;
  let consumer: string;

  before(async () => {
    stack = await startTestStack({ apiKeys: ['built-client-key'] });
    await run(process.execPath, ['--disable-warning=ExperimentalWarning', 'src/client/build.ts'], {
      cwd: PROJECT_ROOT,
    });
    consumer = mkdtempSync(join(PROJECT_ROOT, '.tmp', 'client-consumer-'));
    mkdirSync(join(consumer, 'node_modules'));
    symlinkSync(PROJECT_ROOT, join(consumer, 'node_modules', 'podpdf'));
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  });
  after(async () => {
    rmSync(consumer, { recursive: true, force: true });
    await stack.stop();
  });

  it('renders a PDF from a plain JavaScript module on Node 20', async () => {
    writeFileSync(
      join(consumer, 'render.mjs'),
      `import { createClient, PodpdfApiError } from 'podpdf/client';
const client = createClient({ baseUrl: process.argv[2], apiKey: 'built-client-key' });
const { pdf, pages } = await client.quickjob({ input_type: 'html', html: '<h1>Built client</h1>' });
let code;
try { await createClient({ baseUrl: process.argv[2], apiKey: 'wrong' }).getAccount(); }
catch (err) { code = err instanceof PodpdfApiError ? err.code : String(err); }
process.stdout.write(JSON.stringify({ pages, code, pdf: Buffer.from(pdf).toString('base64') }));
`,
    );
    const { stdout } = await run(systemNode(), ['render.mjs', stack.url], { cwd: consumer, timeout: 60_000 });
    const out = JSON.parse(stdout) as { pages: number; code: string; pdf: string };
    assert.equal(out.pages, 1);
    assert.equal(out.code, 'UNAUTHORIZED');
    assert.deepEqual((await parsePdf(Buffer.from(out.pdf, 'base64'))).pageTexts, ['Built client']);
  });

  it('type-checks a TypeScript consumer against the shipped declarations', async () => {
    writeFileSync(
      join(consumer, 'use.ts'),
      `import { createClient, type JobView } from 'podpdf/client';
const client = createClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k' });
export const pages = async (): Promise<number> => (await client.quickjob({ input_type: 'html', html: 'x' })).pages;
export const status = (job: JobView): string => job.status;
// @ts-expect-error input_type is required
export const wrong = () => client.quickjob({ html: 'x' });
`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['use.ts'],
      }),
    );
    await run(join(PROJECT_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: consumer });
  });
});
