import type { DocumentId } from './fixtures/documents.ts';
import { commandLine, descendants } from './proc.ts';
import { progress } from './progress.ts';
import type { WarmSystems } from './scenarios/types.ts';
import type { ChromiumLaunchSpec } from './systems/chromium.ts';
import { startLimitRenderer } from './systems/limit.ts';
import { createQuickjobClient, type QuickjobClient, quickjobBody } from './systems/podpdf-quickjob.ts';
import { startPodpdfServer } from './systems/podpdf-server.ts';

export interface ChromiumCheck {
  version: string;
  executablePath: string;
  /** The flags the baselines launch with (minus the per-launch profile directory). */
  args: string[];
  /** True when podpdf's running browser has the same binary and flags as the limit's. */
  sameAsPodpdf: boolean;
  differences: string[];
}

/** Flags that differ per launch by design: the throwaway profile directory, the egress proxy's port. */
const normalize = (argv: string[]): string[] =>
  argv.filter((arg) => !arg.startsWith('--user-data-dir=') && !arg.startsWith('--proxy-server='));

/** The Chromium browser process among the server's descendants: the one running the binary, not a helper. */
const podpdfBrowserArgv = (serverPid: number, executablePath: string): string[] | undefined =>
  descendants(serverPid)
    .map(commandLine)
    .find((argv) => argv?.[0] === executablePath && !argv.some((arg) => arg.startsWith('--type=')));

/**
 * Proves the premise of every ratio: the limit and podpdf run the same Chromium with the same flags.
 * Reads both browsers' command lines from /proc rather than trusting that the code paths agree.
 */
const checkSameChromium = async (warm: WarmSystems): Promise<ChromiumCheck> => {
  const version = await warm.limit.browser.version();
  const limitArgv = warm.limit.pid === undefined ? undefined : commandLine(warm.limit.pid);
  const podpdfArgv = podpdfBrowserArgv(warm.server.pid, warm.chromium.executablePath);
  const differences: string[] = [];
  if (!limitArgv) differences.push('limit browser process not found');
  if (!podpdfArgv) differences.push(`no ${warm.chromium.executablePath} process under the podpdf server`);
  if (limitArgv && podpdfArgv) {
    const a = normalize(limitArgv);
    const b = normalize(podpdfArgv);
    for (const arg of a) if (!b.includes(arg)) differences.push(`only the limit has ${arg}`);
    for (const arg of b) if (!a.includes(arg)) differences.push(`only podpdf has ${arg}`);
    if (differences.length === 0 && a.join(' ') !== b.join(' '))
      differences.push('same flags, different order');
  }
  return {
    version,
    executablePath: warm.chromium.executablePath,
    args: warm.chromium.args,
    sameAsPodpdf: differences.length === 0,
    differences,
  };
};

/**
 * The steady-state setup: one warm limit browser in this process and one podpdf server (with its own
 * warm browser) in a child process, each having rendered once.
 */
export const startWarmSystems = async (
  chromium: ChromiumLaunchSpec,
  documents: { id: DocumentId; html: string }[],
): Promise<{ warm: WarmSystems; chromiumCheck: ChromiumCheck; stop(): Promise<void> }> => {
  progress('starting the limit browser and the podpdf server');
  const limit = await startLimitRenderer(chromium);
  const server = await startPodpdfServer({ separateEmulators: true }).catch(async (err: unknown) => {
    await limit.close();
    throw err;
  });
  const client = createQuickjobClient(server.url, server.apiKey);
  // A failed request says what became of the server: a crash there reads as ECONNREFUSED here.
  const withServerState = (err: unknown): never => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${server.describe()}`, {
      cause: err,
    });
  };
  const quickjob: QuickjobClient = {
    render: (body) => client.render(body).catch(withServerState),
    call: (method, path, body) => client.call(method, path, body).catch(withServerState),
    close: () => client.close(),
  };
  const stop = async () => {
    quickjob.close();
    await Promise.all([limit.close(), server.stop()]);
  };
  try {
    const quickjobBodies = new Map(documents.map((doc) => [doc.id, quickjobBody(doc.html)]));
    const warm: WarmSystems = { chromium, limit, server, quickjob, quickjobBodies };
    const [first] = documents;
    if (first) {
      await limit.render(first.html);
      await quickjob.render(quickjobBodies.get(first.id) as Buffer);
    }
    const chromiumCheck = await checkSameChromium(warm);
    progress(
      `podpdf at ${server.url} (pid ${server.pid}, banner after ${server.readyMs.toFixed(0)} ms); ${chromiumCheck.version}; ` +
        `same binary and flags as the limit: ${chromiumCheck.sameAsPodpdf ? 'yes' : `NO (${chromiumCheck.differences.join('; ')})`}`,
    );
    return { warm, chromiumCheck, stop };
  } catch (err) {
    await stop();
    throw err;
  }
};
