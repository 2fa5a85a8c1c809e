import type { Body } from '../samples/bodies.js';
import type { Deliverer, DeliveryError } from '../wire/deliver.js';
import type { OutgoingRequest } from '../wire/request.js';
import { meets } from './file.js';
import type { PlannedDelivery } from './plan.js';

/** One delivery made, as `scenario run` reports it. */
export interface ScenarioOutcome {
  delivery: PlannedDelivery;
  /** Which event of the plan it is (0-based). */
  event: number;
  attempt: number;
  duplicate: boolean;
  reordered: boolean;
  /** Simulated time since the start of the run. */
  simulatedMs: number;
  status: number | null;
  ms: number;
  error: DeliveryError | null;
  /** The status meets the step's expectation (a 2xx when it has none). */
  ok: boolean;
}

export interface ScenarioSummary {
  events: number;
  deliveries: number;
  /** Events with no expectation of their own that never got a 2xx. */
  unanswered: number;
  /** Events whose explicit `expect` was not met. */
  mismatches: number;
  /** Events not delivered because the run stopped (nothing listening). */
  notSent: number;
  /** Set when the target cannot be reached at all: the run stops there. */
  fatal: DeliveryError | null;
  /** Whether `signal` ended the run before every event was delivered. */
  interrupted: boolean;
}

export interface ExecuteOptions {
  deliverer: Deliverer;
  makeRequest: (body: Body) => OutgoingRequest;
  /** Called after each delivery, in order; a returned promise (output backpressure) holds the run. */
  onOutcome?: (outcome: ScenarioOutcome) => void | Promise<void>;
  /** Ends the run early (Ctrl-C): nothing more is sent, and the delivery in flight is not waited for. */
  signal?: AbortSignal;
}

/**
 * Delivers a plan one at a time, in order. Waits are simulated time: shown, not slept (issue 16;
 * `--time-scale` is where real waiting will come in). Stops at the first delivery that says the
 * target cannot be reached.
 */
export async function executePlan(plan: readonly PlannedDelivery[], options: ExecuteOptions): Promise<ScenarioSummary> {
  const summary: ScenarioSummary = {
    events: plan.length,
    deliveries: 0,
    unanswered: 0,
    mismatches: 0,
    notSent: 0,
    fatal: null,
    interrupted: false,
  };
  const { signal } = options;
  const aborted = new Promise<null>((resolve) =>
    signal?.addEventListener('abort', () => resolve(null), { once: true }),
  );
  let simulatedMs = 0;
  for (const [event, delivery] of plan.entries()) {
    simulatedMs += delivery.waitMs;
    const result = signal?.aborted
      ? null
      : await Promise.race([options.deliverer.deliver(options.makeRequest(delivery.body)), aborted]);
    if (result === null) {
      summary.interrupted = true;
      summary.notSent = plan.length - event;
      break;
    }
    if (result.error?.fatal) {
      summary.fatal = result.error;
      summary.notSent = plan.length - event;
      break;
    }
    summary.deliveries += 1;
    const ok = meets(result.status, delivery.expect);
    if (!ok && delivery.expect === null) summary.unanswered += 1;
    if (!ok && delivery.expect !== null) summary.mismatches += 1;
    const outcome: ScenarioOutcome = {
      delivery,
      event,
      attempt: result.attempts,
      duplicate: false,
      reordered: false,
      simulatedMs,
      status: result.status,
      ms: result.ms,
      error: result.error,
      ok,
    };
    const held = options.onOutcome?.(outcome);
    if (held) await held;
  }
  return summary;
}
