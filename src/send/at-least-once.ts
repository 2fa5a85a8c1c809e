import { monotonicMs } from '../wire/attempt.js';
import type { Deliverer, DeliveryResult } from '../wire/deliver.js';
import type { OutgoingRequest } from '../wire/request.js';
import { meets } from '../wire/status.js';
import type { Slot } from './arrange.js';

// An at-least-once sender (issue 16): every arranged delivery is sent in its turn, and one that gets
// no answer or a 5xx is sent again, the identical bytes, after each delay of the retry schedule. A
// 4xx is an answer ("I refuse this") and is not retried. Delays and scenario waits run on a clock
// scaled by --time-scale; the output shows the simulated time beside the real one.

export interface AttemptRecord {
  slot: Slot;
  /** 1 for the first attempt of this slot, 2 for its first retry, … */
  attempt: number;
  result: DeliveryResult;
  /** Simulated milliseconds since the run began, when the attempt was sent. */
  simulatedMs: number;
  /** Real milliseconds since the run began, when the attempt was sent. */
  realMs: number;
  /** Whether another attempt of this slot will follow. */
  retrying: boolean;
}

export interface AtLeastOnceOptions {
  slots: readonly Slot[];
  deliverer: Deliverer;
  makeRequest: (slot: Slot) => OutgoingRequest;
  /** Simulated delays before each retry (--retry-schedule); empty for none. */
  retrySchedule: readonly number[];
  /** Real time = simulated time × this, for retry delays (--time-scale). */
  timeScale: number;
  /** The same for a scenario's waits (default: timeScale); 0 shows them on the simulated clock only. */
  waitScale?: number;
  /** Deliveries in flight at once; a retry waits in the background without holding one. */
  concurrency: number;
  readBody?: number;
  onAttempt?: (record: AttemptRecord) => void | Promise<void>;
  signal?: AbortSignal;
  now?: () => number;
  /** Waits `ms` of real time (injectable; a test gives a fast clock). */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface AtLeastOnceSummary {
  slots: number;
  attempts: number;
  retries: number;
  duplicates: number;
  /** Planned deliveries (by index) none of whose slots ever got a 2xx (or the answer they expect). */
  undelivered: number[];
  /** Of those, the ones whose step expects an answer (`expect`), which it never got. */
  mismatched: number[];
  /** Planned deliveries never attempted (the run stopped first). */
  unsent: number[];
  /** The first error after which nothing can be delivered (nothing listening), if any. */
  fatal: DeliveryResult['error'];
  interrupted: boolean;
  realMs: number;
  simulatedMs: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function runAtLeastOnce(options: AtLeastOnceOptions): Promise<AtLeastOnceSummary> {
  const now = options.now ?? monotonicMs;
  const wait = options.wait ?? sleep;
  const started = now();
  const delivered = new Set<number>();
  const attempted = new Set<number>();
  const waitScale = options.waitScale ?? options.timeScale;
  const summary: AtLeastOnceSummary = {
    slots: options.slots.length,
    attempts: 0,
    retries: 0,
    duplicates: options.slots.filter((slot) => slot.duplicate).length,
    undelivered: [],
    mismatched: [],
    unsent: [],
    fatal: null,
    interrupted: false,
    realMs: 0,
    simulatedMs: 0,
  };
  const stopped = () => summary.fatal !== null || options.signal?.aborted === true;
  let clock = 0; // the simulated time of the latest slot's turn
  let next = 0;
  const retries: Array<Promise<void>> = [];

  async function attempt(slot: Slot, n: number, simulatedMs: number): Promise<void> {
    if (stopped()) return;
    const request = options.makeRequest(slot);
    const realMs = now() - started;
    const result = await options.deliverer.deliver(request, options.readBody ?? 0);
    if (options.signal?.aborted) return;
    attempted.add(slot.index);
    summary.attempts += 1;
    if (n > 1) summary.retries += 1;
    // Nothing to talk to at all: the run ends in one line, not in a line for each attempt.
    if (result.error?.fatal && !delivered.size) {
      summary.fatal = result.error;
      return;
    }
    const failed = result.status === null || result.status >= 500;
    const retrying = failed && n <= options.retrySchedule.length && !stopped();
    if (meets(slot.planned.expect, result.status)) delivered.add(slot.index);
    summary.simulatedMs = Math.max(summary.simulatedMs, simulatedMs);
    await options.onAttempt?.({ slot, attempt: n, result, simulatedMs, realMs, retrying });
    if (!retrying) return;
    const delay = options.retrySchedule[n - 1]!;
    // The retry waits in the background: the run goes on, as a sender's queue does.
    retries.push(wait(delay * options.timeScale, options.signal).then(() => attempt(slot, n + 1, simulatedMs + delay)));
  }

  async function worker(): Promise<void> {
    while (next < options.slots.length && !stopped()) {
      const slot = options.slots[next++]!;
      // A scenario's wait holds the run: the next step is due that much later.
      if (slot.planned.waitMs > 0 && waitScale > 0) await wait(slot.planned.waitMs * waitScale, options.signal);
      clock += slot.planned.waitMs;
      await attempt(slot, 1, clock);
    }
  }

  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, options.slots.length)) }, worker));
  // Retries schedule retries of their own: wait until none is left.
  for (let done = 0; done < retries.length; done++) await retries[done];
  summary.realMs = now() - started;
  summary.interrupted = options.signal?.aborted === true;
  const planned = new Set(options.slots.map((slot) => slot.index));
  summary.unsent = [...planned].filter((index) => !attempted.has(index)).sort((a, b) => a - b);
  summary.undelivered = [...planned]
    .filter((index) => !delivered.has(index) && attempted.has(index))
    .sort((a, b) => a - b);
  summary.mismatched = summary.undelivered.filter((index) =>
    options.slots.some((slot) => slot.index === index && slot.planned.expect !== null),
  );
  return summary;
}
