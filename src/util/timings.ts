/**
 * Named durations of one request, answered as a `Server-Timing` header: a client (or the benchmark)
 * sees where its request's time went without podpdf's internals being re-enacted elsewhere.
 */
export class Timings {
  readonly #spans: { name: string; ms: number }[] = [];
  readonly #started = performance.now();

  /** Runs `work` and records how long it took under `name`, whether it succeeds or throws. */
  async time<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.#spans.push({ name, ms: performance.now() - started });
    }
  }

  /** `name;dur=ms, ..., total;dur=ms` (W3C Server Timing), to 0.1 ms; total counts from creation. */
  header(): string {
    const total = { name: 'total', ms: performance.now() - this.#started };
    return [...this.#spans, total].map(({ name, ms }) => `${name};dur=${ms.toFixed(1)}`).join(', ');
  }
}

/** The spans of a `Server-Timing` header value, durations in ms. */
export const parseServerTiming = (value: string): Map<string, number> =>
  new Map(
    value
      .split(',')
      .map((entry) => /^\s*([\w-]+);dur=([\d.]+)\s*$/.exec(entry))
      .filter((match) => match !== null)
      .map((match) => [match[1] as string, Number(match[2])]),
  );
