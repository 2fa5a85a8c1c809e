import { monotonicMs } from '../wire/attempt.js';
import type { Deliverer, DeliveryError } from '../wire/deliver.js';
import type { Craft, ProbeRequest } from './craft.js';
import type { Exchange, Probe, ProbeReport, Round } from './probe.js';

/** A probe and the requests it will send, made before the first is sent. */
export interface ProbePlan {
  probe: Probe;
  rounds: Round[];
}

/**
 * Every body of the run, made in the probes' order before anything is sent, so that `--seed` gives
 * the same bytes however the requests interleave. The run's timing probe sends its own deliveries
 * only when there is nothing else to time.
 */
export function planSuite(probes: readonly Probe[], craft: Craft): ProbePlan[] {
  return probes.map((probe) => ({
    probe,
    rounds: probe.gradesTheRun && probes.length > 1 ? [] : probe.build(craft.forProbe(probe.id)),
  }));
}

/** How many requests the plans send. */
export function countRequests(plans: readonly ProbePlan[]): number {
  return plans.reduce((sum, { rounds }) => sum + rounds.reduce((n, round) => n + round.requests.length, 0), 0);
}

export interface SuiteOptions {
  plans: readonly ProbePlan[];
  deliverer: Deliverer;
  deadlineMs: number;
  timeoutMs: number;
  /** Which secret the run signs with, in words (for one fix). */
  signingWith?: string;
  /** Bytes of each response body kept for the report. */
  readBody?: number;
  /** Each exchange as it completes (--verbose). */
  onExchange?: (probe: Probe, exchange: Exchange) => void;
  /** Each report in the fixed order, as soon as it and every one before it are done. */
  onReport?: (report: ProbeReport) => void;
  /** Stops the run (Ctrl-C): nothing more is sent. */
  signal?: AbortSignal;
  now?: () => number;
}

export interface SuiteResult {
  reports: ProbeReport[];
  /** Requests sent and answered, or failed. */
  deliveries: number;
  ms: number;
  /** Set when the first requests found nothing to talk to, or got no answer in time: the run stopped there. */
  unreachable: DeliveryError | null;
  interrupted: boolean;
}

/** Probes in flight at once, and requests of one probe's round at once (a round `atOnce` sends all of its). */
const PROBES_AT_ONCE = 3;
const REQUESTS_AT_ONCE = 4;

/**
 * Runs the probes in their order, a few at a time, and grades each. A probe that is `alone` (the
 * burst) and the one that grades the whole run (`answers-in-time`, last) run with nothing else in
 * flight. When the very first requests get no answer at all (nothing listening, or an app that
 * answers nothing within the timeout), it stops.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const now = options.now ?? monotonicMs;
  const started = now();
  const { plans } = options;
  const all: Exchange[] = [];
  const reports: Array<ProbeReport | undefined> = [];
  let shown = 0;
  let answered = false;
  let unreachable: DeliveryError | null = null;
  const stopped = () => unreachable !== null || options.signal?.aborted === true;

  async function send(probe: Probe, sent: ProbeRequest): Promise<Exchange | null> {
    if (stopped()) return null;
    const result = await options.deliverer.deliver(sent.request, options.readBody ?? 0);
    if (options.signal?.aborted) return null;
    if (result.status !== null) answered = true;
    // Nothing there, or something that answers nothing: one line now, not a report of timeouts later.
    else if (!answered && (result.error?.fatal || result.error?.code.includes('TIMEOUT'))) {
      unreachable ??= result.error;
      return null;
    }
    const exchange: Exchange = { probe: probe.id, sent, result, expected: probe.expects(result) };
    all.push(exchange);
    options.onExchange?.(probe, exchange);
    return exchange;
  }

  async function runRound(probe: Probe, round: Round): Promise<Array<Exchange | null>> {
    if (round.atOnce) return Promise.all(round.requests.map((sent) => send(probe, sent)));
    const out: Array<Exchange | null> = new Array(round.requests.length).fill(null);
    let next = 0;
    const worker = async () => {
      while (next < round.requests.length && !stopped()) {
        const index = next++;
        out[index] = await send(probe, round.requests[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(REQUESTS_AT_ONCE, round.requests.length) }, worker));
    return out;
  }

  async function runProbe(index: number): Promise<void> {
    const { probe, rounds } = plans[index]!;
    const begun = now();
    const exchanges: Exchange[] = [];
    for (const round of rounds) {
      for (const exchange of await runRound(probe, round)) if (exchange) exchanges.push(exchange);
      if (stopped()) return;
    }
    const grade = probe.grade(exchanges, {
      deadlineMs: options.deadlineMs,
      timeoutMs: options.timeoutMs,
      all,
      ...(options.signingWith === undefined ? {} : { signingWith: options.signingWith }),
    });
    const { exchanges: shownExchanges, ...rest } = grade;
    reports[index] = {
      id: probe.id,
      group: probe.group,
      title: probe.title,
      ...rest,
      ms: now() - begun,
      exchanges: shownExchanges ?? exchanges,
    };
    while (shown < plans.length && reports[shown]) options.onReport?.(reports[shown++]!);
  }

  const inFlight = new Set<Promise<void>>();
  for (let index = 0; index < plans.length && !stopped(); index++) {
    const { probe } = plans[index]!;
    const solo = probe.alone === true || probe.gradesTheRun === true;
    if (solo) await Promise.all(inFlight);
    while (inFlight.size >= PROBES_AT_ONCE) await Promise.race(inFlight);
    const running: Promise<void> = runProbe(index).finally(() => inFlight.delete(running));
    inFlight.add(running);
    if (solo) await running;
  }
  await Promise.all(inFlight);
  return {
    reports: reports.filter((report): report is ProbeReport => report !== undefined),
    deliveries: all.length,
    ms: now() - started,
    unreachable,
    interrupted: options.signal?.aborted === true,
  };
}
