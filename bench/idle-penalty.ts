import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What memory costs to touch after the machine has been idle. On some virtual machines (nested or
 * shadow-paged ones in particular) the hypervisor reclaims an idle guest's page mappings, and the
 * first touch of each page afterwards is many times slower than touching it warm. Sequential
 * scenarios leave `idleMs` of quiet before every request, so there every request pays that for each
 * page it touches: a system that touches more memory per request (podpdf's server with its handlers,
 * AWS SDK and in-process emulators, against the limit's bare loop) loses more than its CPU time says.
 */
export interface IdlePenalty {
  idleMs: number;
  /** p50 ms to read one byte per cache line of the buffer, right after the previous read. */
  warmMs: number;
  /** p50 ms for the same read after `idleMs` of sleep. */
  afterIdleMs: number;
  bufferBytes: number;
}

const BUFFER_BYTES = 4 * 1024 * 1024;
const SAMPLES = 15;

const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export const measureIdlePenalty = async (idleMs: number): Promise<IdlePenalty> => {
  const buffer = Buffer.alloc(BUFFER_BYTES, 1);
  let sink = 0;
  const touch = (): number => {
    const start = performance.now();
    for (let i = 0; i < buffer.length; i += 64) sink += buffer[i] ?? 0;
    return performance.now() - start;
  };
  for (let i = 0; i < 20; i += 1) touch(); // JIT and page-in
  const warm: number[] = [];
  const afterIdle: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    touch();
    warm.push(touch());
    await sleep(idleMs);
    afterIdle.push(touch());
  }
  if (sink < 0) throw new Error('unreachable: keeps the reads from being optimised away');
  return { idleMs, warmMs: p50(warm), afterIdleMs: p50(afterIdle), bufferBytes: BUFFER_BYTES };
};

export const describeIdlePenalty = (penalty: IdlePenalty): string =>
  `touching ${penalty.bufferBytes / 2 ** 20} MB after ${penalty.idleMs} ms idle: ${penalty.afterIdleMs.toFixed(2)} ms, ` +
  `warm ${penalty.warmMs.toFixed(2)} ms (${(penalty.afterIdleMs / penalty.warmMs).toFixed(1)}x)`;
