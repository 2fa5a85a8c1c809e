/**
 * How many bytes of request bodies the listener holds at once: being read, waiting for their answer
 * (forwarding, saving, --delay, a verifying thread that is behind) or not yet answered. Without it
 * 300 senders of 1 MiB each took the listener from 113 to 443 MiB (issue 13, item 3). A request over
 * the budget waits with its body unread: Node stops reading its socket, and TCP holds the sender.
 * When nothing is held one request is always let in, so a body up to --max-body never waits for ever.
 */
export interface Budget {
  /** Calls `start` once `bytes` fit (now, or when enough is released), in the order asked. */
  take(bytes: number, start: () => void): void;
  release(bytes: number): void;
}

export function createBudget(limit: number): Budget {
  let used = 0;
  const waiting: Array<{ bytes: number; start: () => void }> = [];
  const fits = (bytes: number) => used === 0 || used + bytes <= limit;
  return {
    take(bytes, start) {
      if (waiting.length > 0 || !fits(bytes)) return void waiting.push({ bytes, start });
      used += bytes;
      start();
    },
    release(bytes) {
      used -= bytes;
      while (waiting.length > 0 && fits(waiting[0]!.bytes)) {
        const next = waiting.shift()!;
        used += next.bytes;
        next.start();
      }
    },
  };
}
