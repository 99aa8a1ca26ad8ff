/**
 * `npm run bench [-- --quick | --smoke]`: podpdf against the limit of its own Chromium and against the
 * naive browser-per-request peer, on the same machine, documents and Chromium, in one run.
 *
 * Progress goes to stderr; the result table, the breakdowns and the PASS/MISS lines go to stdout; the
 * full results go to bench/results/<timestamp>.json and latest.json, the chart to latest.svg.
 */
import { cpus } from 'node:os';
import { runCleanups } from './cleanup.ts';
import { type BenchDocument, type DocumentId, loadDocument } from './fixtures/documents.ts';
import { describeIdlePenalty, measureIdlePenalty } from './idle-penalty.ts';
import { machineInfo } from './machine.ts';
import { parsePlan, USAGE } from './plan.ts';
import { cpuSnapshot, foreignCpuShare } from './proc.ts';
import { progress } from './progress.ts';
import { latencyTable, targetLines } from './report.ts';
import { buildResults, type ScenarioRun, writeResults } from './results.ts';
import { abScenario } from './scenarios/ab.ts';
import { coldStartScenario } from './scenarios/cold-start.ts';
import { concurrencyScenario } from './scenarios/concurrency.ts';
import { costScenario } from './scenarios/cost.ts';
import { isolationScenario } from './scenarios/isolation.ts';
import { latencyScenario } from './scenarios/latency.ts';
import { longjobScenario } from './scenarios/longjob.ts';
import { memoryScenario } from './scenarios/memory.ts';
import { overheadScenario } from './scenarios/overhead.ts';
import type { Scenario, ScenarioContext, ScenarioOutcome } from './scenarios/types.ts';
import { webhooksScenario } from './scenarios/webhooks.ts';
import { latencyChartSvg } from './svg.ts';
import { chromiumLaunchSpec } from './systems/chromium.ts';
import { type ChromiumCheck, startWarmSystems } from './warm-systems.ts';

/**
 * In run order. The ones using the warm systems run first, back to back, while the limit browser and
 * the podpdf server are up; the rest start (and stop) their own processes, one at a time, so no two
 * measurements ever share the two cores.
 */
const SCENARIOS: Scenario[] = [
  latencyScenario,
  concurrencyScenario,
  longjobScenario,
  webhooksScenario,
  memoryScenario,
  coldStartScenario,
  overheadScenario,
  abScenario,
  isolationScenario,
  costScenario,
];

/** Above this slowdown of memory touched after the sequential scenarios' quiet, the output says so. */
const IDLE_PENALTY_NOTE_RATIO = 3;

/** Above this share of the machine's CPU taken by other processes, a scenario's numbers get a warning. */
const NOISE_WARNING_SHARE = 0.05;

const runScenario = async (scenario: Scenario, ctx: ScenarioContext): Promise<ScenarioRun> => {
  progress(`== ${scenario.title}`);
  const before = cpuSnapshot();
  let outcome: ScenarioOutcome;
  try {
    outcome = await scenario.run(ctx);
    if (outcome.status === 'skipped') progress(`${scenario.id}: skipped: ${outcome.reason}`);
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    progress(`${scenario.id}: FAILED: ${error}`);
    outcome = { status: 'failed', error, rows: [], targets: [] };
  }
  const foreignCpu = foreignCpuShare(before, cpuSnapshot(), cpus().length);
  if (foreignCpu > NOISE_WARNING_SHARE) {
    progress(
      `${scenario.id}: other processes used ${(foreignCpu * 100).toFixed(0)}% of the machine's CPU meanwhile`,
    );
  }
  return { id: scenario.id, title: scenario.title, outcome, foreignCpuShare: foreignCpu };
};

const main = async (): Promise<number> => {
  const plan = parsePlan(process.argv.slice(2));
  if (plan === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const startedAt = new Date();
  const machine = machineInfo();
  progress(
    `mode ${plan.mode}; ${machine.cpuCount} x ${machine.cpuModel}, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GB, ` +
      `node ${machine.node}, load ${machine.loadAverageAtStart.toFixed(2)}, commit ${machine.podpdfCommit.slice(0, 12)}`,
  );
  if (plan.settleMs > 0) {
    machine.idleMemoryPenalty = await measureIdlePenalty(plan.settleMs);
    progress(describeIdlePenalty(machine.idleMemoryPenalty));
  }
  const chromium = await chromiumLaunchSpec();
  const documents = new Map<DocumentId, BenchDocument>(plan.documents.map((id) => [id, loadDocument(id)]));
  const ctx: ScenarioContext = {
    plan,
    chromium,
    document: (id) => documents.get(id) ?? loadDocument(id),
  };

  const outcomes: ScenarioRun[] = [];
  const selected = SCENARIOS.filter((s) => plan.only.length === 0 || plan.only.includes(s.id));
  const warmScenarios = selected.filter((s) => s.usesWarmSystems);
  let chromiumCheck: ChromiumCheck | { error: string } = {
    error:
      warmScenarios.length > 0
        ? 'the warm systems did not start'
        : 'not checked: no warm-system scenario ran',
  };
  // Started only when a selected scenario measures them (`--only cold-start` needs neither).
  if (warmScenarios.length > 0) {
    try {
      const warm = await startWarmSystems(chromium, [...documents.values()]);
      chromiumCheck = warm.chromiumCheck;
      try {
        for (const scenario of warmScenarios) {
          outcomes.push(await runScenario(scenario, { ...ctx, warm: warm.warm }));
        }
      } finally {
        await warm.stop();
      }
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      progress(`warm systems: FAILED: ${error}`);
      for (const scenario of warmScenarios.filter((s) => !outcomes.some((o) => o.id === s.id))) {
        const outcome: ScenarioOutcome = { status: 'failed', error, rows: [], targets: [] };
        outcomes.push({ id: scenario.id, title: scenario.title, outcome, foreignCpuShare: 0 });
      }
    }
  }
  for (const scenario of selected.filter((s) => !s.usesWarmSystems)) {
    outcomes.push(await runScenario(scenario, ctx));
  }

  const results = buildResults({
    plan,
    startedAt,
    finishedAt: new Date(),
    machine,
    chromium: chromiumCheck,
    documents: [...documents.values()],
    outcomes,
  });
  const rows = outcomes.flatMap(({ outcome }) => outcome.rows);
  const skipped = results.skipped.map(({ title, reason }) => ({ title, reason }));
  const svg = latencyChartSvg(rows, {
    subtitle:
      `${plan.mode} run ${results.startedAt}; ${machine.cpuCount} x ${machine.cpuModel}; node ${machine.node}; ` +
      `${results.machine.chromiumVersion}; podpdf ${machine.podpdfCommit.slice(0, 12)}`,
    skipped,
  });
  const path = writeResults(plan.resultsDir, results, svg);

  const failed = outcomes.filter(({ outcome }) => outcome.status === 'failed');
  const out: string[] = [
    `podpdf benchmark (${plan.mode}): ${machine.cpuCount} x ${machine.cpuModel}, node ${machine.node}, ` +
      `${results.machine.chromiumVersion}, commit ${machine.podpdfCommit.slice(0, 12)}` +
      (machine.podpdfUncommittedFiles > 0 ? ` + ${machine.podpdfUncommittedFiles} uncommitted files` : ''),
    '',
    latencyTable(rows, skipped),
    '',
    'conc = requests in flight; n = recorded samples; x limit p50 = p50 / limit p50 at the same concurrency;',
    'x peer p50 = p50 / sequential peer p50; req/s sequential = 1000 / mean, concurrent = renders / wall time.',
  ];
  if ('sameAsPodpdf' in chromiumCheck && !chromiumCheck.sameAsPodpdf) {
    out.push(
      '',
      `WARNING: the limit and podpdf ran different Chromium flags: ${chromiumCheck.differences.join('; ')}`,
    );
  }
  const penalty = machine.idleMemoryPenalty;
  if (penalty && penalty.afterIdleMs > IDLE_PENALTY_NOTE_RATIO * penalty.warmMs) {
    out.push(
      '',
      `NOTE: on this machine, ${describeIdlePenalty(penalty)}. Sequential requests follow ${penalty.idleMs} ms of`,
      'quiet, so each pays this for every page of memory it touches: podpdf, whose server touches more memory',
      "per request than the limit's loop, loses more there than its CPU time says.",
    );
  }
  const noisy = outcomes.filter((run) => run.foreignCpuShare > NOISE_WARNING_SHARE);
  if (noisy.length > 0) {
    const list = noisy
      .map((run) => `${run.id} (${(run.foreignCpuShare * 100).toFixed(0)}% of all CPU)`)
      .join(', ');
    out.push(
      '',
      `WARNING: other processes were busy on this machine during ${list}; those numbers carry that noise.`,
    );
  }
  for (const { outcome } of outcomes) {
    if (outcome.status === 'done' && outcome.text) out.push('', outcome.text);
  }
  out.push('', targetLines(outcomes.flatMap(({ outcome }) => outcome.targets)));
  for (const { id, outcome } of failed) {
    if (outcome.status === 'failed') out.push(`FAILED scenario ${id}: ${outcome.error.split('\n')[0]}`);
  }
  out.push('', `results: ${path}`, `chart:   ${path.replace(/[^/]+\.json$/, 'latest.svg')}`, '');
  process.stdout.write(out.join('\n'));
  progress(`done in ${results.durationSeconds} s`);
  return failed.length > 0 ? 1 : 0;
};

// Ctrl-C or a kill: stop every browser and server this run started before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping everything the benchmark started`);
    void runCleanups().finally(() => process.exit(130));
  });
}

try {
  process.exitCode = await main();
} catch (err) {
  progress(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await runCleanups();
}
