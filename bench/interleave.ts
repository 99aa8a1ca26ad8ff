import { settle } from './plan.ts';

export type Step = { name: string; run: () => Promise<unknown> };

/**
 * Runs every step once per iteration, rotating the order, with `settleMs` of quiet after each (work a
 * step leaves running must not be billed to the next); returns the samples of each step.
 */
export const interleave = async (
  steps: Step[],
  iterations: number,
  settleMs: number,
): Promise<Map<string, number[]>> => {
  const samples = new Map(steps.map((step) => [step.name, [] as number[]]));
  for (const step of steps) await step.run(); // warm-up: JIT, caches, sockets
  for (let i = 0; i < iterations; i += 1) {
    for (let k = 0; k < steps.length; k += 1) {
      const step = steps[(i + k) % steps.length] as Step;
      const start = performance.now();
      await step.run();
      samples.get(step.name)?.push(performance.now() - start);
      await settle(settleMs);
    }
  }
  return samples;
};
