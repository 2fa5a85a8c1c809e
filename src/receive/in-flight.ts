/**
 * One run per key at a time, for the deliveries of one event: a duplicate that arrives while the
 * first is being handled joins it and gets its result, rather than running the handlers again. A run
 * holds its key for `waitMs` at most: a handler that never settles must not keep every retry of its
 * event waiting (and in memory) for good, so past that a duplicate runs the handlers itself.
 */
export function createInFlight<T>(waitMs: number): (key: string, start: () => Promise<T>) => Promise<Joined<T>> {
  const running = new Map<string, { result: Promise<T>; started: number }>();
  return async (key, start) => {
    for (;;) {
      const current = running.get(key);
      if (!current) break;
      const left = current.started + waitMs - Date.now();
      if (left > 0) {
        const first = await within(current.result, left);
        if (first !== TIMED_OUT) return { result: first, joined: true };
      }
      // Held for waitMs: the first counts as lost. Another waiter may have taken over already.
      if (running.get(key) === current) {
        running.delete(key);
        break;
      }
    }
    const mine = { result: start(), started: Date.now() };
    running.set(key, mine);
    try {
      return { result: await mine.result, joined: false };
    } finally {
      if (running.get(key) === mine) running.delete(key);
    }
  };
}

export interface Joined<T> {
  result: T;
  /** Whether this was a duplicate that waited for another run's result. */
  joined: boolean;
}

const TIMED_OUT = Symbol('timed out');

function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
