import { monotonicMs } from '../wire/attempt.js';
import type { Deliverer, DeliveryError } from '../wire/deliver.js';
import type { ProbeRequest } from './craft.js';
import { CONTROL, GATE, type SuitePlan } from './plan.js';
import {
  accepts,
  type Exchange,
  type Grade,
  type GradeContext,
  type Probe,
  type ProbeReport,
  type Round,
  timedOut,
} from './probe.js';

export interface SuiteOptions {
  plan: SuitePlan;
  deliverer: Deliverer;
  deadlineMs: number;
  timeoutMs: number;
  /** Which secret the run signs with, in words (for one fix). */
  signingWith?: string;
  /** Bytes of each response body kept for the report. */
  readBody?: number;
  /** Each exchange as it completes (--verbose). */
  onExchange?: (exchange: Exchange) => void;
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
  /**
   * Set when not one validly signed delivery got a 2xx (a wrong path, another secret): a refusal
   * then proves nothing, so no other probe was run. Its grade says why.
   */
  blocked: Grade | null;
  /**
   * Set when the endpoint went away part way: it stopped answering (STALLED timeouts in a row), or
   * stopped listening after it had answered (it crashed). The probe it happened in is graded on what
   * it got, the rest are not run, and this says why in one line.
   */
  halted: string | null;
  /** The probes chosen but not run (after `blocked`, `halted`, `unreachable` or Ctrl-C). */
  notRun: string[];
  interrupted: boolean;
}

/** Probes in flight at once, and requests of one probe's round at once (a round `atOnce` sends all of its). */
const PROBES_AT_ONCE = 3;
const REQUESTS_AT_ONCE = 4;

/**
 * Timeouts in a row, with no answer between them for twice --timeout, after which the endpoint is
 * taken to have stopped answering: without it an app that hangs after its first answer holds a run
 * for about twelve times --timeout (two minutes by default), each probe waiting out its own requests.
 * The time matters as much as the count: a burst that times out together comes from an app that is
 * slow, not stuck, and it answered just before.
 */
const STALLED = 8;

/** A delivery in a few words: `accepts-exact-bytes's "a trailing newline" (message.created Ab…)`. */
function describe({ probe, sent }: Exchange): string {
  const what = sent.label === sent.type ? '' : ` "${sent.label}"`;
  return `${probe}'s${what}${sent.type ? ` ${sent.type}` : ''}${sent.id ? ` ${sent.id}` : ''}`;
}

/** `, just after <the deliveries in flight> got their connections closed without an answer`, or nothing. */
function lastWords(dropped: readonly Exchange[]): string {
  if (dropped.length === 0) return '';
  const named = `${dropped.slice(0, 4).map(describe).join(', ')}${dropped.length > 4 ? ` and ${dropped.length - 4} more` : ''}`;
  return `, just after ${named} got ${dropped.length === 1 ? 'its connection' : 'their connections'} closed without an answer`;
}

/** An error that says the app took the connection and dropped it: it was there, then it was not. */
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * Runs the probes in their order, a few at a time, and grades each. The gate (accepts-every-type, or
 * one control delivery) goes first and alone: if nothing validly signed gets a 2xx, the run stops
 * there. A probe that is `alone` (the burst) and the one that grades the whole run (answers-in-time,
 * last) run with nothing else in flight. When the very first requests get no answer at all (nothing
 * listening, or an app that answers nothing within the timeout), it stops.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const now = options.now ?? monotonicMs;
  const started = now();
  const plans = options.plan.probes;
  const all: Exchange[] = [];
  const reports: Array<ProbeReport | undefined> = [];
  const context: GradeContext = {
    deadlineMs: options.deadlineMs,
    timeoutMs: options.timeoutMs,
    all,
    ...(options.signingWith === undefined ? {} : { signingWith: options.signingWith }),
  };
  let shown = 0;
  let gotAnswer = false;
  let droppedBeforeAnswer = false;
  let unreachable: DeliveryError | null = null;
  let blocked: Grade | null = null;
  let silent = 0;
  let lastAnswerAt = started;
  let halted: string | null = null;
  /** Whether `halted` is a crash: then a probe whose wrong answers are all lost connections is not graded. */
  let crashed = false;
  /** The deliveries dropped without an answer since the last answer: what an app that died, died of. */
  let inFlightWhenDropped: Exchange[] = [];
  const stopped = () => unreachable !== null || blocked !== null || halted !== null || options.signal?.aborted === true;

  async function send(probe: Probe, sent: ProbeRequest): Promise<Exchange | null> {
    if (stopped()) return null;
    const result = await options.deliverer.deliver(sent.request, options.readBody ?? 0);
    if (options.signal?.aborted) return null;
    if (result.status !== null) gotAnswer = true;
    // Nothing there, or something that answers nothing: one line now, not a report of timeouts later.
    // (A server that does not speak HTTP, HPE_*, is the same: none of the rest would be graded.)
    else if (!gotAnswer && (result.error?.fatal || timedOut(result) || result.error?.code.startsWith('HPE_'))) {
      unreachable ??=
        droppedBeforeAnswer && result.error?.fatal
          ? {
              ...result.error,
              message: `${sent.request.url.href} closed the first connections without an answer, then stopped listening: did the app crash? see its log`,
            }
          : result.error;
      return null;
    } else if (result.error && DROPPED.has(result.error.code)) droppedBeforeAnswer = true;
    const exchange: Exchange = { probe: probe.id, sent, result, expected: probe.expects(result) };
    // What was in flight when it went down: which one killed it cannot be told from here.
    if (result.status !== null) inFlightWhenDropped = [];
    else if (result.error && DROPPED.has(result.error.code)) inFlightWhenDropped.push(exchange);
    if (result.status !== null) lastAnswerAt = now();
    silent = result.status !== null ? 0 : silent + (timedOut(result) ? 1 : 0);
    if (halted === null && silent >= STALLED && now() - lastAnswerAt >= 2 * options.timeoutMs)
      halted = `the endpoint stopped answering: ${STALLED} deliveries in a row got no answer within ${options.timeoutMs} ms (--timeout), so the probes after them were not run; is the app stuck? see its log`;
    // Refused after it had answered: the app is gone, and every delivery after would say only that.
    if (halted === null && gotAnswer && result.error?.fatal) {
      crashed = true;
      halted = `the app stopped listening part way (${result.error.code})${lastWords(inFlightWhenDropped)}: did it crash? see its log; the probes in flight and after it were not graded`;
    }
    all.push(exchange);
    options.onExchange?.(exchange);
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
      if (!stopped()) continue;
      // A probe the endpoint went away in is graded on what it got, unless all it got wrong is the
      // crash itself (a lost connection): which delivery killed the app cannot be told, and the
      // probes that were merely in flight are not to blame.
      const lost = (exchange: Exchange) => exchange.result.status === null && !timedOut(exchange.result);
      const bystander = crashed && exchanges.filter((exchange) => !exchange.expected).every(lost);
      if (halted !== null && exchanges.length > 0 && !bystander) break;
      return;
    }
    const { exchanges: shownExchanges, ...grade } = probe.grade(exchanges, context);
    reports[index] = {
      id: probe.id,
      group: probe.group,
      title: probe.title,
      ...grade,
      ms: now() - begun,
      exchanges: shownExchanges ?? exchanges,
    };
    while (shown < plans.length && reports[shown]) options.onReport?.(reports[shown++]!);
  }

  // The gate: nothing else is graded until a validly signed delivery gets through.
  const gate = plans.findIndex(({ probe }) => probe.gate);
  const control = options.plan.control;
  if (gate >= 0) await runProbe(gate);
  else if (control) await send(CONTROL, control);
  const gateExchanges = all.filter((exchange) => exchange.probe === GATE.id || exchange.probe === CONTROL.id);
  const others = plans.length - (gate >= 0 ? 1 : 0);
  if (!stopped() && others > 0 && !gateExchanges.some(({ result }) => accepts(result)))
    blocked = GATE.grade(gateExchanges, context);

  const inFlight = new Set<Promise<void>>();
  for (let index = 0; index < plans.length && !stopped(); index++) {
    if (index === gate) continue;
    const { probe } = plans[index]!;
    const solo = probe.alone === true || probe.gradesTheRun === true;
    if (solo) await Promise.all(inFlight);
    while (inFlight.size >= PROBES_AT_ONCE) await Promise.race(inFlight);
    const running: Promise<void> = runProbe(index).finally(() => inFlight.delete(running));
    inFlight.add(running);
    if (solo) await running;
  }
  await Promise.all(inFlight);
  // A run stopped short leaves gaps (probes not run): what was graded after a gap is shown now.
  for (; shown < plans.length; shown++) if (reports[shown]) options.onReport?.(reports[shown]!);
  const done = reports.filter((report): report is ProbeReport => report !== undefined);
  return {
    reports: done,
    deliveries: all.length,
    ms: now() - started,
    unreachable,
    blocked,
    halted,
    notRun: plans.filter((_, index) => reports[index] === undefined).map(({ probe }) => probe.id),
    interrupted: options.signal?.aborted === true,
  };
}
