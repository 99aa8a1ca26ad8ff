import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';
import type { DocumentId } from '../fixtures/documents.ts';
import { ms, progress } from '../progress.ts';
import { round, summarize } from '../stats.ts';
import type { Scenario } from './types.ts';

/**
 * What a PDF costs on Lambda at each memory size. Lambda gives a function CPU in proportion to its
 * memory (1,769 MB is one vCPU); the renders here run in a process limited to that share of the
 * machine's CPU (a cgroup CPU quota, or CPU affinity where cgroups cannot be written), and the cost
 * per 1,000 PDFs follows from the measured p50 and the published prices below.
 */

/**
 * us-east-1 list prices, x86, as published by AWS (Lambda, API Gateway HTTP API, SQS and S3 pricing
 * pages and the "How AWS Pricing Works" whitepaper), read on 2026-12-07. Check them before relying on
 * the table: they change.
 */
export const PRICES = {
  date: '2026-12-07',
  lambdaGbSecond: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  httpApiRequest: 1.0 / 1e6,
  sqsRequest: 0.4 / 1e6,
  s3Put: 0.005 / 1000,
} as const;

/** Memory sizes priced, with the vCPU share Lambda gives each (memory / 1,769 MB). */
const MEMORY_SIZES_MB = [1024, 1769, 3538, 10240];
const MB_PER_VCPU = 1769;
/** The long-job processor takes messages in batches of 5 (serverless.yml): a request per 5 jobs. */
const PROCESSOR_BATCH = 5;
/** The submission function (longjob, 1,024 MB): a row write and a send, billed at this many ms. */
const SUBMIT_MS = 60;

const CGROUP_ROOT = '/sys/fs/cgroup/cpu';

/** A CPU limit for a child process: a cgroup v1 CPU quota when one can be made, else CPU affinity. */
const limitedCommand = (share: number, args: string[]): { command: string[]; cleanup: () => void } => {
  const group = join(CGROUP_ROOT, `podpdf-bench-${process.pid}-${Math.round(share * 100)}`);
  try {
    mkdirSync(group);
    writeFileSync(join(group, 'cpu.cfs_period_us'), '100000');
    writeFileSync(join(group, 'cpu.cfs_quota_us'), String(Math.round(share * 100_000)));
    const script = `echo $$ > ${join(group, 'cgroup.procs')} && exec "$@"`;
    return {
      command: ['sh', '-c', script, 'sh', ...args],
      cleanup: () => {
        if (existsSync(group)) rmdirSync(group);
      },
    };
  } catch {
    // No writable cgroup: whole cores by affinity only.
    const cores = Math.max(1, Math.round(share));
    return { command: ['taskset', '-c', `0-${cores - 1}`, ...args], cleanup: () => undefined };
  }
};

const runLimited = (share: number, warmup: number, n: number, documents: DocumentId[]) =>
  new Promise<Record<string, number[]>>((resolve, reject) => {
    const loop = join(PROJECT_ROOT, 'bench/systems/render-loop.ts');
    const { command, cleanup } = limitedCommand(share, [
      process.execPath,
      '--disable-warning=ExperimentalWarning',
      loop,
      String(warmup),
      String(n),
      ...documents,
    ]);
    const [file, ...rest] = command as [string, ...string[]];
    const child = spawn(file, rest, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('exit', (code) => {
      try {
        cleanup();
      } catch {
        // a process may still be leaving the group; it goes with the next boot
      }
      if (code === 0) resolve(JSON.parse(out) as Record<string, number[]>);
      else reject(new Error(`render loop at ${share} vCPU exited with ${code}`));
    });
  });

interface CostRow {
  memoryMb: number;
  vcpu: number;
  measuredAtVcpu: number;
  document: DocumentId;
  p50Ms: number;
  quickPer1000: number;
  longPer1000: number;
}

/** Dollars per 1,000 PDFs rendered in `renderMs` by a function of `memoryMb`. */
const pricePer1000 = (memoryMb: number, renderMs: number) => {
  const gbSeconds = (mb: number, msBilled: number) => (mb / 1024) * (msBilled / 1000);
  const render = gbSeconds(memoryMb, renderMs) * PRICES.lambdaGbSecond;
  const quick = render + PRICES.lambdaRequest + PRICES.httpApiRequest;
  const long =
    render +
    PRICES.lambdaRequest / PROCESSOR_BATCH +
    gbSeconds(1024, SUBMIT_MS) * PRICES.lambdaGbSecond +
    PRICES.lambdaRequest +
    PRICES.httpApiRequest +
    // send, then receive and delete per batch
    PRICES.sqsRequest * (1 + 2 / PROCESSOR_BATCH) +
    PRICES.s3Put;
  return { quick: quick * 1000, long: long * 1000 };
};

export const costScenario: Scenario = {
  id: 'cost',
  title: 'What a PDF costs per Lambda memory size (CPU limited to the size’s share)',
  usesWarmSystems: false,
  run: async (ctx) => {
    const { warmup, renders, documents } = ctx.plan.cost;
    const cores = (await import('node:os')).availableParallelism();
    const measured = new Map<number, Record<string, number[]>>();
    for (const size of MEMORY_SIZES_MB) {
      // Shares past the machine's cores cannot be measured here: the largest measurable one stands in.
      const share = Math.min(size / MB_PER_VCPU, cores);
      const key = round(share, 2);
      if (measured.has(key)) continue;
      progress(`cost: ${renders} renders of ${documents.join(', ')} at ${key} vCPU`);
      measured.set(key, await runLimited(share, warmup, renders, documents));
    }
    const rows: CostRow[] = [];
    for (const size of MEMORY_SIZES_MB) {
      const vcpu = size / MB_PER_VCPU;
      const at = round(Math.min(vcpu, cores), 2);
      for (const document of documents) {
        const p50 = summarize(measured.get(at)?.[document] ?? []).p50;
        const price = pricePer1000(size, p50);
        rows.push({
          memoryMb: size,
          vcpu: round(vcpu, 2),
          measuredAtVcpu: at,
          document,
          p50Ms: round(p50, 1),
          quickPer1000: price.quick,
          longPer1000: price.long,
        });
      }
    }
    const dollars = (v: number) => `$${v.toFixed(4)}`;
    const text = [
      `What 1,000 PDFs cost per memory size (us-east-1 prices of ${PRICES.date}; render p50 under the size's CPU share):`,
      ...rows.map(
        (r) =>
          `  ${String(r.memoryMb).padStart(5)} MB (${r.vcpu.toFixed(2)} vCPU${r.measuredAtVcpu < r.vcpu ? `, measured at ${r.measuredAtVcpu}` : ''})  ${r.document.padEnd(10)} p50 ${ms(r.p50Ms).padStart(9)}  quick ${dollars(r.quickPer1000)}  long ${dollars(r.longPer1000)}`,
      ),
    ].join('\n');
    return { status: 'done', rows: [], targets: [], details: { prices: PRICES, rows }, text };
  },
};
