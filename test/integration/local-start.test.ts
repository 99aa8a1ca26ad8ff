import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';
import { isPdf } from '../helpers/pdf.ts';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Runs `npm start` (or another script) as a newcomer would and returns what it printed once it is ready. */
const startServer = async (
  env: Record<string, string>,
  script: { name: string; ready: string } = { name: 'start', ready: 'Ctrl-C stops everything' },
) => {
  // Its own process group, so Ctrl-C can be sent the way a terminal sends it: to npm and its children.
  const child = spawn('npm', ['run', script.name], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: 'pipe',
    detached: true,
  });
  let output = '';
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm run ${script.name} did not come up:\n${output}`)),
      60_000,
    );
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes(script.ready)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`npm run ${script.name} exited with ${code}:\n${output}`)));
  });
  const stop = () =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.removeAllListeners('exit');
      child.once('exit', (code, signal) => resolve({ code, signal }));
      process.kill(-(child.pid as number), 'SIGINT');
    });
  /** Everything printed so far, the lines after the banner included. */
  const printed = () => output;
  return { output, printed, stop };
};

/** Runs `npm start` expecting it to give up: its exit code and everything it printed. */
const startExpectingFailure = async (env: Record<string, string>) => {
  const child = spawn('npm', ['start'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm start did not give up:\n${output}`));
    }, 60_000);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, output };
};

const renderWith = (url: string, key: string, html: string) =>
  fetch(`${url}/quickjob`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ input_type: 'html', html }),
  });

describe('npm start', () => {
  it('prints the URL, a generated key and a curl command that works', async () => {
    const port = await freePort();
    const server = await startServer({ PODPDF_PORT: String(port), PODPDF_DEV_API_KEYS: '' });
    try {
      const url = `http://127.0.0.1:${port}`;
      assert.match(server.output, new RegExp(`listening on ${url}`));
      const key = server.output.match(/Bearer (podpdf_dev_[A-Za-z0-9_-]+)/)?.[1];
      assert.ok(key, 'prints a generated key');
      assert.match(server.output, /curl -sS -X POST .*\/quickjob/);
      const res = await renderWith(url, key, '<h1>Hello from podpdf</h1>');
      assert.equal(res.status, 200);
      assert.ok(isPdf(new Uint8Array(await res.arrayBuffer())));
      // One access-log line per request, with the job it made.
      const jobId = res.headers.get('x-job-id');
      const line = new RegExp(`^POST /quickjob 200 \\d+ ms job ${jobId}$`, 'm');
      const deadline = Date.now() + 5_000;
      while (!line.test(server.printed()) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      assert.match(server.printed(), line);
    } finally {
      const { code, signal } = await server.stop();
      assert.ok(code === 0 || signal === 'SIGINT', `Ctrl-C ends npm start (code ${code}, signal ${signal})`);
    }
    await assert.rejects(fetch(`http://127.0.0.1:${port}/quickjob`), 'the API is no longer listening');
  });

  it('names every bad setting on one line each, before starting anything', async () => {
    const { code, output } = await startExpectingFailure({
      PODPDF_PORT: 'abc',
      PODPDF_LOG_LEVEL: 'loud',
      PODPDF_PREWARM_BROWSER: 'yes',
    });
    assert.equal(code, 1);
    assert.match(output, /PODPDF_PORT: must be a port number .* \(got "abc"\)/);
    assert.match(output, /PODPDF_LOG_LEVEL: must be one of .* \(got "loud"\)/);
    assert.match(output, /PODPDF_PREWARM_BROWSER: must be "true" or "false" \(got "yes"\)/);
    assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
    assert.doesNotMatch(output, /listening on/);
  });

  it('says which port is taken and how to pick another', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const { code, output } = await startExpectingFailure({ PODPDF_PORT: String(port) });
      assert.equal(code, 1);
      assert.match(output, new RegExp(`port ${port} is in use .* PODPDF_PORT=${port + 1} npm start`));
      assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
    } finally {
      holder.close();
    }
  });

  it('reports a Chromium that cannot start at start, not on the first request', async () => {
    const { code, output } = await startExpectingFailure({
      PODPDF_PORT: '0',
      PODPDF_CHROMIUM_PATH: join(PROJECT_ROOT, 'no-such-chromium'),
    });
    assert.equal(code, 1);
    assert.match(output, /Chromium could not be started: .*no-such-chromium/);
    assert.doesNotMatch(output, /listening on/);
  });

  it('keeps the generated key in PODPDF_DATA_DIR: a restart prints the same one and it still works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'podpdf-data-'));
    const env = { PODPDF_DEV_API_KEYS: '', PODPDF_DATA_DIR: dataDir };
    const keyOf = (output: string) => output.match(/Bearer (podpdf_dev_[A-Za-z0-9_-]+)/)?.[1];
    try {
      const port = await freePort();
      const first = await startServer({ ...env, PODPDF_PORT: String(port) });
      await first.stop();
      const second = await startServer({ ...env, PODPDF_PORT: String(port) });
      try {
        assert.ok(keyOf(first.output), 'the first start prints a generated key');
        assert.equal(keyOf(second.output), keyOf(first.output));
        const res = await renderWith(
          `http://127.0.0.1:${port}`,
          keyOf(second.output) ?? '',
          '<p>same key</p>',
        );
        assert.equal(res.status, 200);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('seeds PODPDF_DEV_API_KEYS and keeps state in PODPDF_DATA_DIR across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'podpdf-data-'));
    const env = { PODPDF_DEV_API_KEYS: 'key-one,key-two', PODPDF_DATA_DIR: dataDir };
    try {
      const port = await freePort();
      const first = await startServer({ ...env, PODPDF_PORT: String(port) });
      let jobId: string | null;
      try {
        assert.match(first.output, /key-one\n\s+key-two/);
        const res = await renderWith(`http://127.0.0.1:${port}`, 'key-two', '<p>kept</p>');
        assert.equal(res.status, 200);
        jobId = res.headers.get('x-job-id');
      } finally {
        await first.stop();
      }
      const second = await startServer({ ...env, PODPDF_PORT: String(port) });
      try {
        // The seeded key still works and the first run's job row is still in the table.
        const res = await renderWith(`http://127.0.0.1:${port}`, 'key-one', '<p>again</p>');
        assert.equal(res.status, 200);
        const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
        const endpoint = second.output.match(/DynamoDB \(dynalite\): (\S+)/)?.[1];
        const client = new DynamoDBClient({
          endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
        });
        const row = await client.send(
          new GetItemCommand({ TableName: 'podpdf-local-job-details', Key: { job_id: { S: jobId ?? '' } } }),
        );
        client.destroy();
        assert.equal(row.Item?.status?.S, 'completed');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('runs against the emulators of npm run emulators, whose state outlives a restart', async () => {
    const emulators = await startServer({}, { name: 'emulators', ready: 'Ctrl-C stops them' });
    try {
      const endpoints = emulators.output.match(/PODPDF_DYNAMODB_ENDPOINT=(\S+) PODPDF_AWS_ENDPOINT=(\S+)/);
      assert.ok(endpoints, emulators.output);
      const env = {
        PODPDF_DEV_API_KEYS: 'emulated-key',
        PODPDF_DYNAMODB_ENDPOINT: endpoints[1] as string,
        PODPDF_AWS_ENDPOINT: endpoints[2] as string,
      };
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const first = await startServer({ ...env, PODPDF_PORT: String(port) });
      let jobId: string | null;
      try {
        assert.match(first.output, new RegExp(`DynamoDB \\(dynalite\\): ${endpoints[1]}`));
        const res = await renderWith(url, 'emulated-key', '<p>kept</p>');
        assert.equal(res.status, 200);
        jobId = res.headers.get('x-job-id');
      } finally {
        await first.stop();
      }
      const second = await startServer({ ...env, PODPDF_PORT: String(port) });
      try {
        const res = await fetch(`${url}/jobs/${jobId}`, {
          headers: { authorization: 'Bearer emulated-key' },
        });
        assert.equal(res.status, 200);
        assert.equal(((await res.json()) as { status: string }).status, 'completed');
      } finally {
        await second.stop();
      }
    } finally {
      const { code, signal } = await emulators.stop();
      assert.ok(code === 0 || signal === 'SIGINT', `emulators ended with ${code ?? signal}`);
    }
  });
});
