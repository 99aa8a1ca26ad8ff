/** The JSON lines `work` writes to stdout. */
export const logged = async (work: () => Promise<unknown>): Promise<Record<string, unknown>[]> => {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const level = process.env.PODPDF_LOG_LEVEL;
  process.env.PODPDF_LOG_LEVEL = 'info';
  process.stdout.write = ((chunk: string) => {
    if (typeof chunk === 'string') lines.push(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await work();
  } finally {
    process.stdout.write = write;
    if (level === undefined) delete process.env.PODPDF_LOG_LEVEL;
    else process.env.PODPDF_LOG_LEVEL = level;
  }
  // Other writers share stdout (a child's pipe, a progress line): only JSON lines are log lines.
  return lines
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
};
