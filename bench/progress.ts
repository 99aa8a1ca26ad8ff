/**
 * Progress goes to stderr so stdout carries only the result table (`npm run bench > table.txt` works).
 */
const startedAt = performance.now();

export const progress = (message: string): void => {
  const elapsed = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${elapsed}s] ${message}\n`);
};

export const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a');
