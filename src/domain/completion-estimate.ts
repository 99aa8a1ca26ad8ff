/**
 * When a newly queued long job should be done: the work ahead of it (the queue depth read after it
 * was sent, so itself included) spread over the processors working in parallel, each job taking about
 * as long as this account's recent renders, plus the queue's delivery delay.
 */
export const COMPLETION_DEFAULTS = {
  /** Render time assumed when the account has no finished long job yet. */
  renderMs: 5_000,
  /** Time from enqueue to a processor picking the message up. */
  pickupMs: 1_000,
} as const;

export const estimateCompletion = (input: {
  now: number;
  queueDepth: number;
  recentRenderMs: number[];
  parallelism: number;
}): Date => {
  const samples = input.recentRenderMs.filter((ms) => Number.isFinite(ms) && ms > 0);
  const renderMs =
    samples.length > 0
      ? samples.reduce((sum, ms) => sum + ms, 0) / samples.length
      : COMPLETION_DEFAULTS.renderMs;
  const rounds = Math.ceil(Math.max(1, input.queueDepth) / Math.max(1, input.parallelism));
  return new Date(input.now + COMPLETION_DEFAULTS.pickupMs + rounds * renderMs);
};
