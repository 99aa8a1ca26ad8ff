import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { parsePdf } from '../../helpers/pdf.ts';
import { startTestStack, type TestStack } from '../../helpers/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';

describe('CLI: podpdf against the local stack', () => {
  let stack: TestStack;
  let dir: string;
  let env: Record<string, string>;
  let receiver: WebhookReceiver;

  before(async () => {
    stack = await startTestStack({ apiKeys: ['cli-key-a', 'cli-key-b'] });
    env = { PODPDF_API_URL: stack.url, PODPDF_API_KEY: 'cli-key-a' };
    dir = await mkdtemp(join(tmpdir(), 'podpdf-cli-'));
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
    await stack.stop();
  });

  it('--help exits 0 for podpdf and every command', async () => {
    for (const args of [
      ['--help'],
      ['render', '--help'],
      ['jobs', '--help'],
      ['webhook', '--help'],
      ['account', '-h'],
      ['verify-webhook', '--help'],
    ]) {
      const result = await runCli(args);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout.toString(), /^Usage: podpdf/, args.join(' '));
    }
  });

  it('usage errors exit 2 with error USAGE', async () => {
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: podpdf/);
    const unknown = await runCli(['render', 'x.html', '--colour', 'red'], { env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error USAGE: Unknown option '--colour'/);
    const noKey = await runCli(['account'], { env: { PODPDF_API_URL: stack.url } });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /error USAGE: no API key/);
    const missing = await runCli(['render', join(dir, 'missing.html')], { env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /error USAGE: cannot read .*missing\.html: ENOENT/);
  });

  it('render writes a file from a file, with paper options', async () => {
    const input = join(dir, 'invoice.html');
    await writeFile(input, '<h1>Invoice 42</h1><p>Total: 10 EUR</p>');
    const result = await runCli(
      ['render', input, '--format', 'A5', '--landscape', '--margin', '10mm 5mm', '--title', 'Invoice'],
      { env },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /wrote .*invoice\.pdf \(1 page\(s\)\)/);
    const pdf = await parsePdf(await readFile(join(dir, 'invoice.pdf')));
    assert.equal(pdf.pages, 1);
    assert.match(pdf.pageTexts[0] ?? '', /Invoice 42/);
    assert.deepEqual(pdf.pageSizes[0], { width: 596, height: 420 }); // A5 landscape
  });

  it('render reads stdin and writes stdout with -', async () => {
    const result = await runCli(['render', '-', '--markdown', '-o', '-'], {
      env,
      stdin: '# Notes\n\n| Item | Qty |\n|---|---|\n| Widgets | 4 |',
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const pdf = await parsePdf(result.stdout);
    assert.match(pdf.pageTexts[0] ?? '', /Notes.*Widgets 4/);
  });

  it('render --async --wait shows the status and writes the PDF', async () => {
    const output = join(dir, 'report.pdf');
    const result = await runCli(['render', '-', '--async', '--wait', '-o', output], {
      env,
      stdin: '<h1>Quarterly report</h1>',
    });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.match(lines.at(-2) ?? '', /^job [0-9a-f-]{36}: completed, 1 page\(s\)$/);
    assert.match(lines.at(-1) ?? '', /wrote .*report\.pdf/);
    assert.equal(new Set(lines).size, lines.length, 'one line per change');
    const pdf = await parsePdf(await readFile(output));
    assert.match(pdf.pageTexts[0] ?? '', /Quarterly report/);
  });

  it('render --async prints the job id; jobs get, list and download find it', async () => {
    const submitted = await runCli(['render', '-', '--async'], { env, stdin: '<p>queued one</p>' });
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = submitted.stdout.toString().trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
    const waited = await runCli(['jobs', 'wait', id, '-o', '-'], { env });
    assert.equal(waited.code, 0, waited.stderr);
    assert.match((await parsePdf(waited.stdout)).pageTexts[0] ?? '', /queued one/);
    const got = await runCli(['jobs', 'get', id], { env });
    assert.equal(JSON.parse(got.stdout.toString()).status, 'completed');
    const listed = await runCli(['jobs', 'list', '--all', '--json', '--limit', '2'], { env });
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(
      (JSON.parse(listed.stdout.toString()) as Array<{ job_id: string }>).some((j) => j.job_id === id),
    );
    const table = await runCli(['jobs', 'list', '--status', 'completed'], { env });
    assert.match(table.stdout.toString(), new RegExp(`^${id}  long   completed`, 'm'));
  });

  it('API errors exit 1 with the error code and message', async () => {
    const wrongKey = await runCli(['account'], { env: { ...env, PODPDF_API_KEY: 'wrong' } });
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /^error UNAUTHORIZED: The API key is not valid\.\nrequest id: \S+/);
    const invalid = await runCli(['render', '-', '-o', join(dir, 'never.pdf'), '--scale', '5'], {
      env,
      stdin: '<p>x</p>',
    });
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^error VALIDATION_FAILED: Request body failed validation\./);
    assert.match(invalid.stderr, /options\.scale/);
    const mine = await runCli(['render', '-', '--async'], { env, stdin: '<p>mine</p>' });
    const id = mine.stdout.toString().trim();
    const foreign = await runCli(['jobs', 'get', id], { env: { ...env, PODPDF_API_KEY: 'cli-key-b' } });
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /^error NOT_FOUND: Job not found\./);
    const unreachable = await runCli(['account'], { env: { ...env, PODPDF_API_URL: 'http://127.0.0.1:9' } });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /^error NETWORK_ERROR: fetch failed/);
  });

  it('a failed long job exits 1 with its error code', async () => {
    const result = await runCli(['render', '-', '--async', '--wait', '--pages', '4-6'], {
      env,
      stdin: '<p>one page</p>',
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error INVALID_PAGE_RANGES: /);
  });

  it('webhook set, verify-webhook on a delivery, rotate and delete', async () => {
    const set = await runCli(['webhook', 'set', receiver.url], { env });
    assert.equal(set.code, 0, set.stderr);
    const secret = JSON.parse(set.stdout.toString()).signing_secret as string;
    assert.match(secret, /^whsec_/);
    const submitted = await runCli(['render', '-', '--async'], { env, stdin: '<h1>Signed</h1>' });
    const id = submitted.stdout.toString().trim();
    const [delivery] = await receiver.waitFor(1, 60_000);
    assert.ok(delivery);
    const headers = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].flatMap((name) => [
      '-H',
      `${name}: ${delivery.headers[name]}`,
    ]);
    const verified = await runCli(['verify-webhook', '--secret', secret, ...headers], {
      stdin: delivery.body,
    });
    assert.equal(verified.code, 0, verified.stderr);
    assert.equal(JSON.parse(verified.stdout.toString()).job_id, id);
    const tampered = await runCli(['verify-webhook', ...headers], {
      env: { PODPDF_WEBHOOK_SECRET: secret },
      stdin: delivery.body.replace('"completed"', '"failed"'),
    });
    assert.equal(tampered.code, 1);
    assert.match(tampered.stderr, /^error INVALID_SIGNATURE: /);
    const rotated = await runCli(['webhook', 'rotate'], { env });
    assert.notEqual(JSON.parse(rotated.stdout.toString()).signing_secret, secret);
    const deleted = await runCli(['webhook', 'delete'], { env });
    assert.equal(deleted.code, 0, deleted.stderr);
    const shown = await runCli(['webhook', 'show'], { env });
    assert.equal(JSON.parse(shown.stdout.toString()).url, null);
  });
});
