import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';
import { loadServiceDefinition, resolveEnvironment } from '../../src/local/service-definition.ts';
import { LOCAL_STAGE } from '../../src/local/stack.ts';
import { onCleanup } from '../cleanup.ts';
import { chromiumProfileDirs, descendants, isAlive, killPids, removeDirs } from '../proc.ts';
import { ms, progress } from '../progress.ts';
import { median, round } from '../stats.ts';
import { createQuickjobClient, quickjobBody } from '../systems/podpdf-quickjob.ts';
import { startPodpdfServer } from '../systems/podpdf-server.ts';
import type { RawColdStartReport } from '../systems/raw-cold-start.ts';
import { makeTarget, type Scenario } from './types.ts';

const RAW_SCRIPT = fileURLToPath(new URL('../systems/raw-cold-start.ts', import.meta.url));
const FUNCTION_SCRIPT = fileURLToPath(new URL('../systems/function-cold-start.ts', import.meta.url));
const CHILD_TIMEOUT_MS = 60_000;

interface PodpdfColdStart {
  /** Spawn to the startup banner (listening). */
  readyMs: number;
  /** Spawn to the last byte of the first PDF. */
  firstPdfMs: number;
}

/** Fresh `node src/local/main.ts` → first PDF served over HTTP. */
const podpdfColdStart = async (body: Buffer): Promise<PodpdfColdStart> => {
  const server = await startPodpdfServer();
  const client = createQuickjobClient(server.url, server.apiKey);
  try {
    await client.render(body);
    return { readyMs: server.readyMs, firstPdfMs: performance.now() - server.spawnedAt };
  } finally {
    client.close();
    await server.stop();
  }
};

/**
 * The environment the quickjob function gets on AWS (provider.environment with its references resolved,
 * then the function's own, as serverless.yml declares them: NODE_OPTIONS would change how the bundles
 * load), pointed at a running local stack's emulators (read from its banner).
 */
const functionEnvironment = (stackOutput: string): Record<string, string> => {
  const dynamodb = /DynamoDB \(dynalite\):\s+(\S+)/.exec(stackOutput)?.[1];
  const fauxqs = /S3 \+ SQS \(fauxqs\):\s+(\S+)/.exec(stackOutput)?.[1];
  if (!dynamodb || !fauxqs)
    throw new Error(`no emulator endpoints in the local stack's banner:\n${stackOutput}`);
  const def = loadServiceDefinition(LOCAL_STAGE);
  const quickjob = def.functions.find((fn) => fn.name === 'quickjob');
  if (!quickjob) throw new Error('serverless.yml declares no quickjob function');
  // Queue URLs as the emulator forms them; the quickjob function never sends to them.
  const queueUrls = Object.fromEntries(
    Object.entries(def.resources)
      .filter(([, resource]) => resource.Type === 'AWS::SQS::Queue')
      .map(([id, resource]) => [id, `${fauxqs}/000000000000/${String(resource.Properties.QueueName)}`]),
  );
  return {
    ...resolveEnvironment(def, queueUrls),
    ...quickjob.environment,
    // The child inherits this process's environment; a NODE_OPTIONS of its own must not leak in.
    NODE_OPTIONS: quickjob.environment.NODE_OPTIONS ?? '',
    DYNAMODB_ENDPOINT: dynamodb,
    S3_ENDPOINT: fauxqs,
    SQS_ENDPOINT: fauxqs,
    AWS_REGION: def.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TMPDIR: `${PROJECT_ROOT}.tmp`,
    PODPDF_LOG_LEVEL: 'silent',
  };
};

/** Builds the artifact the function cold start loads (dist/handlers/*.js), as `npm run build` does. */
const buildArtifact = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['esbuild.config.ts'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run build failed (${code})`)),
    );
  });

/**
 * A fresh process until its first PDF: `script` prints a `{"event":"rendered"}` line once the PDF
 * exists, and the clock stops there. The process and every process it started are then killed.
 */
const timeFreshProcess = (
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<number> =>
  new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', script, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let renderedMs: number | undefined;
    let tree: number[] = [];
    let profiles: string[] = [];
    const kill = () => {
      tree = [...new Set([...tree, ...descendants(child.pid as number)])];
      profiles = [...new Set([...profiles, ...chromiumProfileDirs(tree)])];
      child.kill('SIGKILL');
      killPids(tree);
    };
    const unregister = onCleanup(kill);
    const timer = setTimeout(kill, CHILD_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{"event":"rendered"'));
      if (renderedMs === undefined && line) {
        renderedMs = performance.now() - spawnedAt;
        kill();
        const { statusCode } = JSON.parse(line) as { statusCode?: number };
        if (statusCode !== undefined && statusCode !== 200) output += `\nanswered ${statusCode}, not a PDF`;
        if (statusCode !== undefined && statusCode !== 200) renderedMs = undefined;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', () => {
      clearTimeout(timer);
      unregister();
      killPids(tree);
      removeDirs(profiles); // a killed Chromium leaves its profile behind
      if (renderedMs === undefined) reject(new Error(`${script} failed:\n${output}`));
      else resolve(renderedMs);
    });
  });

/** Fresh `node bench/systems/raw-cold-start.ts` → first PDF rendered in that process. */
const rawColdStart = (documentId: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', RAW_SCRIPT, documentId], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let renderedMs: number | undefined;
    let browserPid: number | undefined;
    const kill = () => {
      child.kill('SIGKILL');
      if (browserPid !== undefined) killPids([browserPid]);
    };
    const unregister = onCleanup(kill);
    const timer = setTimeout(kill, CHILD_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{"event":"rendered"'));
      if (line && renderedMs === undefined) {
        renderedMs = performance.now() - spawnedAt;
        browserPid = (JSON.parse(line) as RawColdStartReport).browserPid;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    // Resolve only once the process (and with it its browser) is gone, so repetitions never overlap.
    child.once('exit', (code) => {
      clearTimeout(timer);
      unregister();
      if (browserPid !== undefined && isAlive(browserPid)) killPids([browserPid]);
      if (renderedMs === undefined || code !== 0) {
        reject(new Error(`raw cold start failed (exit ${code}):\n${output}`));
        return;
      }
      resolve(renderedMs);
    });
  });

/**
 * Cold start: a new process until its first PDF, podpdf against the bare launch + render, alternating
 * which goes first. Both find Chromium already unpacked in <project>/.tmp and the binary in the page
 * cache (the warm phase ran first), so this is a cold process on a warm disk, as on a reused Lambda
 * sandbox's /tmp — not the very first start after install.
 */
export const coldStartScenario: Scenario = {
  id: 'cold-start',
  title: 'cold start: fresh process to first PDF',
  usesWarmSystems: false,
  run: async (ctx) => {
    const { repetitions, document } = ctx.plan.coldStart;
    const body = quickjobBody(ctx.document(document).html);
    const podpdf: PodpdfColdStart[] = [];
    const lambda: number[] = [];
    const raw: number[] = [];
    await buildArtifact();
    // The tables the function talks to, as DynamoDB on AWS: up before the function starts.
    const stack = await startPodpdfServer();
    try {
      const env = functionEnvironment(stack.output());
      for (let rep = 0; rep < repetitions; rep += 1) {
        const order = rep % 2 === 0 ? ['function', 'raw', 'stack'] : ['raw', 'function', 'stack'];
        for (const system of order) {
          if (system === 'stack') podpdf.push(await podpdfColdStart(body));
          else if (system === 'function')
            lambda.push(await timeFreshProcess(FUNCTION_SCRIPT, [document, stack.apiKey], env));
          else raw.push(await rawColdStart(document));
        }
        progress(
          `cold start ${rep + 1}/${repetitions}: quickjob function ${ms(lambda.at(-1) ?? Number.NaN)}, ` +
            `raw launch + render ${ms(raw.at(-1) ?? Number.NaN)}, ` +
            `npm start to first PDF ${ms(podpdf.at(-1)?.firstPdfMs ?? Number.NaN)}`,
        );
      }
    } finally {
      await stack.stop();
    }
    const podpdfMedian = median(podpdf.map((p) => p.firstPdfMs));
    const readyMedian = median(podpdf.map((p) => p.readyMs));
    const lambdaMedian = median(lambda);
    const rawMedian = median(raw);
    const text = [
      `Cold start, fresh process to first PDF of ${document} (median of ${repetitions}):`,
      `  podpdf quickjob function (dist bundle, as Lambda)  ${ms(lambdaMedian)}`,
      `  raw (node + puppeteer launch + render)             ${ms(rawMedian)}`,
      `  whole local stack (node src/local/main.ts, HTTP)   ${ms(podpdfMedian)}  (banner at ${ms(readyMedian)}; includes the emulators)`,
    ].join('\n');
    return {
      status: 'done',
      rows: [],
      text,
      targets: [
        makeTarget({
          id: 'cold-start',
          description: 'cold start (quickjob function) <= 1.2x raw launch + first render (median)',
          measured: lambdaMedian / rawMedian,
          threshold: 1.2,
          comparison: '<=',
          basis: `podpdf ${ms(lambdaMedian)} / raw ${ms(rawMedian)}`,
        }),
      ],
      details: {
        document,
        repetitions,
        functionFirstPdfMedianMs: round(lambdaMedian),
        functionSamplesMs: lambda.map((v) => round(v)),
        podpdfFirstPdfMedianMs: round(podpdfMedian),
        podpdfReadyMedianMs: round(readyMedian),
        rawFirstPdfMedianMs: round(rawMedian),
        podpdfSamples: podpdf.map((p) => ({ readyMs: round(p.readyMs), firstPdfMs: round(p.firstPdfMs) })),
        rawSamplesMs: raw.map((v) => round(v)),
      },
    };
  },
};
