/** How late a timer must fire to tell that the process was frozen rather than busy. */
const FROZEN_MS = 1_000;

/**
 * `promise`, or a rejection once `ms` have passed; the timer never keeps the process alive.
 *
 * A timer that fires more than a second late gives the promise one more full period: the process was
 * frozen (Lambda freezes it between invocations, with background work such as a page close still in
 * flight) or its event loop stalled, and what the promise waits for had no chance to run meanwhile.
 * On thaw, Node runs due timers before it reads the sockets that would settle the promise.
 */
export const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = (mayRearm: boolean) => {
      const armedAt = performance.now();
      timer = setTimeout(() => {
        if (mayRearm && performance.now() - armedAt > ms + FROZEN_MS) arm(false);
        else reject(new Error(`timed out after ${ms} ms`));
      }, ms);
      timer.unref();
    };
    arm(true);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
