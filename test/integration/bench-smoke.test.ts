import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DOCUMENTS } from '../../bench/fixtures/documents.ts';
import { buildFixtures } from '../../bench/fixtures/generate.ts';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';

/** Runs `node bench/run.ts <args>` to completion; kills it if it overstays. */
const runBench = (args: string[], timeoutMs: number) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', 'bench/run.ts', ...args],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    // SIGTERM lets the benchmark stop the browsers and servers it started.
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

describe('npm run bench', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'podpdf-bench-smoke-'));
  after(() => rmSync(resultsDir, { recursive: true, force: true }));

  it('runs every scenario at smoke size and writes results, chart and table', async () => {
    const { code, stdout, stderr } = await runBench(
      ['--quick', '--smoke', '--results-dir', resultsDir],
      60_000,
    );
    assert.equal(code, 0, `bench exited with ${code}:\n${stderr}`);

    const results = JSON.parse(readFileSync(join(resultsDir, 'latest.json'), 'utf8'));
    assert.equal(results.schema, 'podpdf-bench/1');
    assert.equal(results.mode, 'smoke');
    for (const key of [
      'cpuModel',
      'cpuCount',
      'totalMemoryBytes',
      'node',
      'chromiumVersion',
      'podpdfCommit',
    ]) {
      assert.ok(results.machine[key] !== undefined && results.machine[key] !== '', `machine.${key}`);
    }
    assert.match(results.machine.chromiumVersion, /Chrome/);
    assert.equal(
      results.chromium.sameAsPodpdf,
      true,
      'baselines run the same Chromium binary and flags as podpdf',
    );

    const rows = results.latency as any[];
    for (const system of ['limit', 'peer', 'podpdf-quickjob']) {
      const row = rows.find((r) => r.system === system && r.document === 'invoice' && r.concurrency === 1);
      assert.ok(row, `a sequential ${system} row`);
      assert.equal(row.summary.n, 3);
      assert.equal(row.samplesMs.length, 3);
      for (const key of ['p50', 'p95', 'p99', 'mean']) assert.equal(typeof row.summary[key], 'number');
      assert.equal(typeof row.ratioToLimitP50, 'number');
      assert.equal(typeof row.ratioToPeerP50, 'number');
      assert.equal(row.pages, 1);
    }
    assert.ok(rows.some((r) => r.system === 'podpdf-quickjob' && r.concurrency === 2));

    for (const id of ['latency', 'concurrency', 'memory', 'cold-start', 'overhead']) {
      assert.equal(
        results.scenarios[id]?.status,
        'done',
        `scenario ${id}: ${results.scenarios[id]?.error ?? ''}`,
      );
    }
    const longjob = results.scenarios.longjob;
    assert.ok(longjob.status === 'done' || (longjob.status === 'skipped' && longjob.reason.length > 0));
    if (longjob.status === 'skipped') assert.ok(results.skipped.some((s: any) => s.scenario === 'longjob'));
    assert.equal(results.scenarios['cold-start'].details.podpdfSamples.length, 1);
    assert.equal(results.scenarios.memory.details.samples.length, 20);

    const targetIds = (results.targets as any[]).map((t) => t.id);
    for (const id of [
      'quickjob-p50-vs-limit:invoice',
      'cold-start',
      'memory-server-rss',
      'memory-chromium-rss',
    ]) {
      assert.ok(targetIds.includes(id), `target ${id}`);
    }
    for (const target of results.targets) assert.equal(typeof target.pass, 'boolean');

    assert.ok(readFileSync(join(resultsDir, 'latest.svg'), 'utf8').startsWith('<svg'));
    assert.ok(readdirSync(resultsDir).some((name) => /^\d{4}-\d\d-\d\dT[\d-]+Z\.json$/.test(name)));
    assert.match(stdout, /p50 ms\s+p95 ms\s+p99 ms\s+req\/s/);
    assert.match(stdout, /^(PASS|MISS) {2}/m);
    assert.match(stdout, /podpdf longjob/);
  });

  it('ships fixtures that match their generator', () => {
    const built = buildFixtures();
    for (const doc of DOCUMENTS) {
      const path = join(PROJECT_ROOT, 'bench', 'fixtures', doc.file);
      assert.ok(existsSync(path), `${doc.file} exists`);
      assert.equal(readFileSync(path, 'utf8'), built[doc.id], `${doc.file} is what generate.ts makes`);
    }
  });
});
