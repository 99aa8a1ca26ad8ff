/**
 * The JSON lines written to `stream` while `work` runs, with PODPDF_LOG_LEVEL at `level` (info lines
 * go to stdout, warnings and errors to stderr), and what `work` returned.
 */
export const capturedLogLines = async <T>(
  stream: 'stdout' | 'stderr',
  level: 'info' | 'error',
  work: () => Promise<T>,
): Promise<{ result: T; lines: Record<string, unknown>[] }> => {
  const lines: string[] = [];
  const target = process[stream];
  const write = target.write.bind(target);
  const before = process.env.PODPDF_LOG_LEVEL;
  process.env.PODPDF_LOG_LEVEL = level;
  target.write = ((chunk: string) => {
    if (typeof chunk === 'string') lines.push(chunk);
    return true;
  }) as typeof target.write;
  try {
    const result = await work();
    // Other writers share the stream (a child's pipe, a progress line): only JSON lines are log lines.
    const parsed = lines
      .flatMap((text) => text.split('\n'))
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
    return { result, lines: parsed };
  } finally {
    target.write = write;
    if (before === undefined) delete process.env.PODPDF_LOG_LEVEL;
    else process.env.PODPDF_LOG_LEVEL = before;
  }
};

/** The JSON lines `work` writes to stdout at the info level. */
export const logged = async (work: () => Promise<unknown>): Promise<Record<string, unknown>[]> =>
  (await capturedLogLines('stdout', 'info', work)).lines;

/** The error lines `work` writes (to stderr), and what it returned. */
export const loggedErrors = async <T>(
  work: () => Promise<T>,
): Promise<{ result: T; errors: Record<string, unknown>[] }> => {
  const { result, lines } = await capturedLogLines('stderr', 'error', work);
  return { result, errors: lines };
};
