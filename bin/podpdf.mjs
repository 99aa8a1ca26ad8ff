#!/usr/bin/env node
// The `podpdf` command. The CLI is TypeScript run by Node 22's type stripping: this launcher runs on
// any Node from 20 and starts src/cli/main.ts with the Node that can run it, this one when it strips
// types by itself (22.18 or newer), else the Node 22 of the node@22 dev dependency.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const strips = major > 22 || (major === 22 && minor >= 18);
const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
const node = strips ? process.execPath : bundled;
if (!strips && !existsSync(node)) {
  process.stderr.write(
    `error NODE_22_REQUIRED: podpdf needs Node 22.18 or newer (this is ${process.version}); run "npm install" in the podpdf checkout to get it.\n`,
  );
  process.exit(2);
}

const child = spawn(node, ['--disable-warning=ExperimentalWarning', main, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// Ctrl-C reaches the child through the terminal's process group: the launcher only waits for it to
// end (the CLI stops a --wait cleanly). A SIGTERM sent to the launcher alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
