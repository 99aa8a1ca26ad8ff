/**
 * Everything the benchmark starts (browsers, podpdf servers, child processes) registers how to stop it
 * here, so an interrupted run (Ctrl-C, SIGTERM, a thrown error) still leaves no Chromium behind.
 * Normal code paths stop what they start themselves and unregister.
 */
type Stopper = () => unknown;

const pending = new Set<Stopper>();

export const onCleanup = (stop: Stopper): (() => void) => {
  pending.add(stop);
  return () => {
    pending.delete(stop);
  };
};

/** Runs every registered stopper, newest first, each bounded so one stuck stopper cannot hang the exit. */
export const runCleanups = async (): Promise<void> => {
  const stoppers = [...pending].reverse();
  pending.clear();
  for (const stop of stoppers) {
    await Promise.race([
      Promise.resolve()
        .then(stop)
        .catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 15_000).unref()),
    ]);
  }
};
