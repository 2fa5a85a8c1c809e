import { formatMs } from '../base/text.js';
import { EVENT_TYPES } from '../oblic/events.js';
import { type Exchange, type Grade, inTurn, type Probe } from './probe.js';

// `answers-in-time`: the time of every delivery of the run, graded against --deadline.

/** The nearest-rank percentile `p` (0–1) of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

/** `answers-in-time` grades the time of every delivery the run made: alone, it sends one of each type. */
export const TIMING_PROBE: Probe = {
  id: 'answers-in-time',
  group: 'deliveries',
  title: 'answers within the deadline',
  sends: 'nothing more: it times every delivery above (run alone, one of each type)',
  gradesTheRun: true,
  build: (craft) => inTurn(EVENT_TYPES.map(({ type }) => craft.signed(type, craft.event(type)))),
  expects: () => true,
  grade: (_own, context): Grade => {
    // A refused connection is no measure of the endpoint's speed. No answer at all (a timeout, a
    // connection the app or its server closed without answering) is, and is slower than any
    // deadline whatever --timeout is: a --timeout below --deadline, or a server.timeout that cuts
    // slow requests, must not pass an endpoint that answered nothing.
    const timed = context.all.filter(({ result }) => result.status !== null || result.error?.fatal === false);
    const msOf = (exchange: Exchange) =>
      exchange.result.status === null ? Number.POSITIVE_INFINITY : exchange.result.ms;
    const sorted = timed.map(msOf).sort((a, b) => a - b);
    const show = (ms: number) => (Number.isFinite(ms) ? formatMs(ms) : 'no answer');
    const p95 = percentile(sorted, 0.95);
    const late = timed.filter((exchange) => exchange.result.status === null).length;
    const figures = `p95 ${show(p95)}, p50 ${show(percentile(sorted, 0.5))}, max ${show(sorted.at(-1) ?? 0)} over ${timed.length} deliveries${late > 0 ? ` (${late} got no answer)` : ''}`;
    if (timed.length === 0) return { verdict: 'fail', detail: 'no delivery was answered', fix: null, exchanges: [] };
    if (p95 <= context.deadlineMs)
      return {
        verdict: 'pass',
        detail: `${figures}; deadline ${formatMs(context.deadlineMs)}`,
        fix: null,
        exchanges: [],
      };
    const slowest = [...timed]
      .sort((a, b) => msOf(b) - msOf(a))
      .slice(0, 5)
      .map((exchange) => ({ ...exchange, expected: msOf(exchange) <= context.deadlineMs }));
    return {
      verdict: 'fail',
      detail: `${figures}: over the deadline of ${formatMs(context.deadlineMs)}`,
      fix: 'answer first and do the work afterwards (a queue, a background job): a sender that waits past its timeout gives up and delivers again (Oblic publishes no timeout; --deadline sets the one graded, 5 s unless given)',
      exchanges: slowest,
    };
  },
};
