/**
 * Builds the client for use outside this checkout (`import { createClient } from 'podpdf/client'`,
 * package.json `exports`): dist/client/index.mjs, one ES module with `standardwebhooks` left as an
 * import, and its declarations under dist/client/types/ (tsconfig.client.json). Node does not run
 * TypeScript inside node_modules, so a project that installs podpdf needs the built files.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '../..');
const out = join(root, 'dist/client');

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src/client/index.ts')],
  // .mjs: dist/package.json makes .js files there CommonJS (the Lambda bundles).
  outfile: join(out, 'index.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['standardwebhooks'],
  legalComments: 'none',
});
execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.client.json')], {
  stdio: 'inherit',
});
console.log(`built ${out}`);
