/** The JSON lines `work` writes to stdout. */
export const logged = async (work: () => Promise<unknown>): Promise<Record<string, unknown>[]> => {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const level = process.env.PODPDF_LOG_LEVEL;
  process.env.PODPDF_LOG_LEVEL = 'info';
  process.stdout.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await work();
  } finally {
    process.stdout.write = write;
    if (level === undefined) delete process.env.PODPDF_LOG_LEVEL;
    else process.env.PODPDF_LOG_LEVEL = level;
  }
  return lines.flatMap((text) => text.split('\n').filter(Boolean)).map((line) => JSON.parse(line));
};
