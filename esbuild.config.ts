/**
 * Builds what serverless.yml deploys:
 * - dist/handlers/*.js: one minified CommonJS bundle per Lambda handler, everything bundled except
 *   @sparticuz/chromium, whose code finds its brotli archives relative to its own files.
 * - dist/node_modules/@sparticuz/chromium: the pinned Chromium package with its one dependency bundled
 *   in, where the handlers' `require('@sparticuz/chromium')` finds it on Lambda.
 */
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const root = import.meta.dirname;
const handlersDir = join(root, 'src/handlers');
const distDir = join(root, 'dist');
const chromiumPackageDir = join(distDir, 'node_modules/@sparticuz/chromium');

const buildHandlers = async (): Promise<string[]> => {
  rmSync(distDir, { recursive: true, force: true });
  const entryPoints = readdirSync(handlersDir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(handlersDir, file));
  await build({
    entryPoints,
    outdir: join(distDir, 'handlers'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: 'linked',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    external: ['@sparticuz/chromium'],
    logLevel: 'warning',
  });
  writeFileSync(join(distDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  return entryPoints;
};

const copyChromium = async (): Promise<void> => {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(dirname(require.resolve('@sparticuz/chromium')));
  mkdirSync(chromiumPackageDir, { recursive: true });
  cpSync(join(packageDir, 'bin'), join(chromiumPackageDir, 'bin'), { recursive: true });
  cpSync(join(packageDir, 'package.json'), join(chromiumPackageDir, 'package.json'));
  await build({
    entryPoints: [join(packageDir, 'build/index.js')],
    outfile: join(chromiumPackageDir, 'build/index.js'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    // Its tar dependencies are CommonJS and require Node built-ins, which an ESM bundle cannot do
    // without a require of its own.
    banner: {
      js: "import { createRequire as __podpdfCreateRequire } from 'node:module';\nconst require = __podpdfCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
};

const started = performance.now();
const handlers = await buildHandlers();
await copyChromium();
console.log(
  `built ${handlers.length} handler(s) and @sparticuz/chromium in ${Math.round(performance.now() - started)} ms`,
);
