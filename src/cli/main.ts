/** The `podpdf` command (bin/podpdf.mjs runs it on Node 22); everything is in run.ts. */
import { run } from './run.ts';

process.exitCode = await run(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
