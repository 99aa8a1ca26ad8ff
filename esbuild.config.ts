/**
 * Builds what serverless.yml deploys:
 * - dist/runtime/<handler>.js: one minified CommonJS bundle per Lambda handler, everything bundled
 *   except @sparticuz/chromium (its code finds its brotli archives relative to its own files) and the
 *   modules that hold the process's browser and its pages, dist/runtime/browser.js and pages.js,
 *   shared, so there is one of each per process.
 * - dist/handlers/<handler>.js: the entry Lambda loads. For the handlers that render, it starts
 *   Chromium and opens its first page (PODPDF_PREWARM_BROWSER), and loads the handler bundle only on
 *   the first invocation: Chromium boots in its own process while Node parses the bundle, instead of
 *   after it. The others load their bundle at once, during init.
 * - dist/node_modules/@sparticuz/chromium: the pinned Chromium package with its one dependency bundled
 *   in, where `require('@sparticuz/chromium')` finds it on Lambda.
 * - fonts/bundled, laid out again from the font packages (serverless.yml ships fonts/ beside dist/).
 */
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { installFonts } from './fonts/install.ts';

const root = import.meta.dirname;
const handlersDir = join(root, 'src/handlers');
const distDir = join(root, 'dist');
const chromiumPackageDir = join(distDir, 'node_modules/@sparticuz/chromium');

/** Handlers whose entry starts Chromium before loading their bundle (PODPDF_PREWARM_BROWSER in serverless.yml). */
const RENDERING_HANDLERS = new Set(['quickjob', 'processor']);

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: 'linked',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  external: ['@sparticuz/chromium'],
  // CommonJS has no import.meta: modules that find files beside themselves (renderer/fonts.ts) get
  // the bundle's own URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};

/** Modules with process-wide state (the browser, the page opened ahead): one shared file each. */
const SHARED_MODULES = ['src/renderer/browser.ts', 'src/renderer/pages.ts'].map((path) => join(root, path));

/**
 * Every handler bundle requires the shared modules instead of carrying copies of their state, and
 * pdf-lib (a fifth of a rendering bundle, needed only to cut documents past 100 pages) from its own
 * file, so a cold start does not parse it.
 */
const sharedRuntimeModules: Plugin = {
  name: 'shared-runtime-modules',
  setup(builder) {
    builder.onResolve({ filter: /^pdf-lib$/ }, () => ({ path: './pdf-lib.js', external: true }));
    builder.onResolve({ filter: /\.ts$/ }, (args) => {
      const path = resolve(args.resolveDir, args.path);
      if (args.kind === 'entry-point' || !SHARED_MODULES.includes(path)) return undefined;
      return { path: `./${basename(path, '.ts')}.js`, external: true };
    });
  },
};

const entryFile = (name: string): string =>
  RENDERING_HANDLERS.has(name)
    ? `'use strict';
// Lambda entry for ${name}: start Chromium, then load the handler on first use (see esbuild.config.ts).
if (process.env.PODPDF_PREWARM_BROWSER === 'true') require('../runtime/pages.js').prewarmRenderer();
let loaded;
exports.handler = (event, context) => (loaded ??= require('../runtime/${name}.js')).handler(event, context);
`
    : `'use strict';
// Lambda entry for ${name} (see esbuild.config.ts).
module.exports = require('../runtime/${name}.js');
`;

const buildHandlers = async (): Promise<string[]> => {
  rmSync(distDir, { recursive: true, force: true });
  const names = readdirSync(handlersDir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.replace(/\.ts$/, ''));
  const runtimeDir = join(distDir, 'runtime');
  await build({
    ...common,
    entryPoints: SHARED_MODULES,
    outdir: runtimeDir,
    plugins: [sharedRuntimeModules],
  });
  await build({
    ...common,
    stdin: { contents: "module.exports = require('pdf-lib');", resolveDir: root },
    outfile: join(runtimeDir, 'pdf-lib.js'),
  });
  await build({
    ...common,
    entryPoints: names.map((name) => join(handlersDir, `${name}.ts`)),
    outdir: runtimeDir,
    plugins: [sharedRuntimeModules],
  });
  mkdirSync(join(distDir, 'handlers'), { recursive: true });
  for (const name of names) writeFileSync(join(distDir, 'handlers', `${name}.js`), entryFile(name));
  writeFileSync(join(distDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  return names;
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
installFonts();
console.log(
  `built ${handlers.length} handler(s), @sparticuz/chromium and fonts in ${Math.round(performance.now() - started)} ms`,
);
